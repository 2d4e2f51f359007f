"""The WSGI application for `make bench-burst`: the project's URLs plus tools/bench.py's bare view.

gunicorn loads it as `bench_wsgi:application` (tools/ on its --pythonpath). The settings come
from the environment tools/bench_burst.py gives gunicorn (config.settings.dev, DEBUG off, no
second factor, the tier's database), as tools/bench.py sets them for its in-process run, so the
bare view here is the same "ok" view behind the same middleware as in `make bench`.
"""

import os
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
for folder in (TOOLS.parent, TOOLS):  # the project (config, elevstod) and tools/bench.py
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# Never production by accident: the burst needs the demo users and no second factor.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from bench import install_bare_view  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

# Before the handler exists, so that every request resolves against the urlconf with the bare view.
install_bare_view()
application = get_wsgi_application()
