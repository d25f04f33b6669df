# The scenario lab (Lab/README.md); included from the main Makefile.
LAB_OUT ?= lab-out
LAB_SSHLOG ?= .build/debug/sshlog

lab: ## run the lab as root; needs the packages (Lab/deps.sh installs them)
	Lab/deps.sh
	Lab/run-lab.sh $(LAB_OUT)

lab-check: ## check `sshlog explain` against the last lab run (and against samples/)
	$(SWIFT) build --product sshlog
	Lab/check.sh $(LAB_OUT) $(LAB_SSHLOG)
	Lab/check.sh samples $(LAB_SSHLOG)
