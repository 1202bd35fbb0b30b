from patron.cli.main import main

raise SystemExit(main())
