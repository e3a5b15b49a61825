from rapidreview.workspace.bootstrap import run

run()
