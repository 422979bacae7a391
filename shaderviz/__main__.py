from shaderviz.cli import main

raise SystemExit(main())
