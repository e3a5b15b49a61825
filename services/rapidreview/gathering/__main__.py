from rapidreview.gathering.bootstrap import run

run()
