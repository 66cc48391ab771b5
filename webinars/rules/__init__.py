"""The rules of the domain, each under its name in one module: seats, a webinar's phase,
registration open or closed, the join window.

Pure functions of a webinar (or its numbers) and an injected `now`; the Q objects beside them
say the same in SQL, so a list and a page never disagree at the boundary. Models, services,
views and the API call these rather than comparing times or counting seats themselves.
"""

from webinars.rules import join, phase, registration, seats

__all__ = ["join", "phase", "registration", "seats"]
