from rapidreview.decisions.bootstrap import run

run()
