"""`python -m workers` (what `renkei worker` becomes): the arq worker."""

import sys

from workers.main import run_worker

sys.exit(run_worker())
