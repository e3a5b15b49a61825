from rapidreview.criteria.bootstrap import run

run()
