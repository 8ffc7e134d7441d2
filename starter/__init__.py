"""The advisors' command line: ``python -m starter --help``."""
