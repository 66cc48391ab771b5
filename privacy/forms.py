from following.forms import FollowForm


class DataRequestForm(FollowForm):
    """An address and the honeypot: the same fields, checks and messages as the follow form."""
