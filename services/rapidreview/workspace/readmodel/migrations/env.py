from rapidreview.kernel.migrations import run_env
from rapidreview.workspace.readmodel.storage import metadata

run_env(metadata)
