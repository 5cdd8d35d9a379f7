"""`python -m benchmarks` (or `make bench`): vanilla MkDocs vs CarePress at hub scale."""

from benchmarks.run import main

raise SystemExit(main())
