"""What a page shows of a webinar once it is over, for the public or for one registrant."""

from dataclasses import dataclass, field

from afterwards.models import Material
from afterwards.recordings import Player, player_for
from webinars.models import Audience, Webinar


@dataclass
class Recap:
    recording_url: str = ""
    player: Player | None = None
    summary: str = ""
    materials: list[Material] = field(default_factory=list)
    # Something is kept for registrants: the public page says where to find it.
    more_for_registrants: bool = False

    def __bool__(self):
        return bool(self.recording_url or self.summary or self.materials)


def recap_for(webinar: Webinar, *, registrant: bool) -> Recap:
    """The recording, summary and materials this audience may see (registrants see all)."""

    def visible(audience: str) -> bool:
        return registrant or audience == Audience.PUBLIC

    # Pages that annotate has_materials spare the query when there are none.
    materials = list(webinar.materials.all()) if getattr(webinar, "has_materials", True) else []
    recap = Recap(
        materials=[m for m in materials if visible(m.audience)],
        more_for_registrants=not registrant
        and (
            any(m.audience == Audience.REGISTRANTS for m in materials)
            or (webinar.recording_url and webinar.recording_audience == Audience.REGISTRANTS)
            or (webinar.summary and webinar.summary_audience == Audience.REGISTRANTS)
        ),
    )
    if webinar.recording_url and visible(webinar.recording_audience):
        recap.recording_url = webinar.recording_url
        recap.player = player_for(webinar.recording_url)
    if webinar.summary and visible(webinar.summary_audience):
        recap.summary = webinar.summary
    return recap
