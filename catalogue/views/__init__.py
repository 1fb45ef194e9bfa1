"""The public pages: the trial list and its downloads and feed, a trial's page (and its error
report form), the landscape charts, the Data page with its snapshot files, and robots.txt."""

from .browse import download, trial_list
from .data import data_page, snapshot_file
from .detail import trial_detail
from .feed import trial_feed
from .landscape import landscape
from .report import report_error, report_thanks
from .site import robots

__all__ = [
    "data_page",
    "download",
    "landscape",
    "report_error",
    "report_thanks",
    "robots",
    "snapshot_file",
    "trial_detail",
    "trial_feed",
    "trial_list",
]
