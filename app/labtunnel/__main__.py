from labtunnel.cli import main

raise SystemExit(main())
