from core.process import run_to_exit
from starter.cli import main

run_to_exit(main())
