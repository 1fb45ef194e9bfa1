"""The public pages: the trial list and its downloads, a trial's page (and its error report form),
and the landscape charts."""

from .browse import download, trial_list
from .detail import trial_detail
from .landscape import landscape
from .report import report_error, report_thanks

__all__ = ["download", "landscape", "report_error", "report_thanks", "trial_detail", "trial_list"]
