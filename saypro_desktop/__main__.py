import sys

from saypro_desktop.cli.main import main

sys.exit(main())
