#!/usr/bin/env bash
# Side-by-side SciKernels vs PyTorch for the operator-learning and optimizer cases (issue 5 item 7,
# issue 4 item 7): the fno suite of compare.sh. Usage: benchmarks/compare_fno.sh [--rounds N] [--case NAME] [--threads N]
exec "$(dirname "${BASH_SOURCE[0]}")/compare.sh" --suite fno "$@"
