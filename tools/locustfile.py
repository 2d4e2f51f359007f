"""Locust users for `make bench-burst` (tools/bench_burst.py writes the plan and starts locust).

Each simulated staff member takes the next entry of the plan (a JSON file named by BURST_PLAN):
a session cookie made by the driver and the pages that person visits, with weights. The plan is
chosen before the run, so this file does no database work and knows nothing of Django.

Environment, set by the driver:
  BURST_PLAN     path of the plan (JSON)
  BURST_PHASE    "bare": every request goes to the bare view; "mixed": the user's pages
  BURST_THINK    "MIN,MAX" seconds between a user's requests; "0,0" for none
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, task

_PLAN: dict[str, Any] = json.loads(Path(os.environ["BURST_PLAN"]).read_text(encoding="utf-8"))
_PHASE = os.environ.get("BURST_PHASE", "mixed")
_THINK_MIN, _THINK_MAX = (float(part) for part in os.environ.get("BURST_THINK", "0,0").split(","))
# Locust starts users one after another in this process: each takes the next plan entry.
_NEXT_USER = itertools.count()


class Staff(FastHttpUser):
    wait_time = between(_THINK_MIN, _THINK_MAX) if _THINK_MAX > 0 else constant(0)

    def on_start(self) -> None:
        users = _PLAN["users"]
        entry = users[next(_NEXT_USER) % len(users)]
        # One cookie header per request rather than the client's cookie jar: the jar would also
        # send the csrftoken cookie Django sets, which a GET-only visit has no use for.
        self.headers = {"Cookie": f"{_PLAN['cookie_name']}={entry['session_key']}"}
        if _PHASE == "bare":
            self.pages = [(_PLAN["bare_label"], _PLAN["bare_path"])]
            self.weights = [1]
        else:
            self.pages = [(page["label"], page["url"]) for page in entry["pages"]]
            self.weights = [page["weight"] for page in entry["pages"]]
        # Seeded per user, so a rerun visits the same pages in the same order.
        self.random = random.Random(entry["index"])  # not for security

    @task
    def visit(self) -> None:
        label, url = self.random.choices(self.pages, weights=self.weights)[0]
        # A redirect (to the sign-in page, say) is a failure: the page was not served.
        with self.client.get(
            url, name=label, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {url}")
