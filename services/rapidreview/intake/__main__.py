from rapidreview.intake.bootstrap import run

run()
