"""The public pages: the trial list and its downloads, a trial's page, and the landscape charts."""

from .browse import download, trial_list
from .detail import trial_detail
from .feed import trial_feed
from .landscape import landscape

__all__ = ["download", "landscape", "trial_detail", "trial_feed", "trial_list"]
