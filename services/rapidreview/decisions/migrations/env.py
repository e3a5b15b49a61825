from rapidreview.decisions.storage import metadata
from rapidreview.kernel.migrations import run_env

run_env(metadata)
