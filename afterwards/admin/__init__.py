"""Admin for after the webinar: materials (inline on a webinar), the follow-up mail, feedback,
and per-webinar figures with attendance. Importing the package registers them."""

from afterwards.admin import (  # noqa: F401 (each module registers its admin classes)
    feedback,
    figures,
    follow_ups,
    materials,
)
