"""The callable of an Airflow task (a PythonOperator's), run as Airflow runs each try: in a
process of its own, with the AIRFLOW_CTX_* variables set.

    python airflow_task.py MODE     (MODE "crash": the process dies after the answer)
"""

from __future__ import annotations

import json
import os
import sys

import hitl_sync as hitl


def approve_deploy() -> bool:
    event = hitl.new_event("approve", data_type=bool, prompt="Deploy to production?")
    print("RESULT " + json.dumps({"asked": event.request_id}), flush=True)
    approved = event.wait()
    if sys.argv[1] == "crash":
        os._exit(3)  # the worker dies; Airflow runs the next try
    return approved


if __name__ == "__main__":
    print("RESULT " + json.dumps({"approved": approve_deploy()}), flush=True)
