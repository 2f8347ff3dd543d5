"""hitl on a Flyte 2 deployment: an app environment that runs `hitl serve`, for tasks to depend on.

    import flyte
    import hitl_flyte
    import hitl_sync as hitl

    task_env = flyte.TaskEnvironment(name="deploy", depends_on=[hitl_flyte.env], ...)

    @task_env.task(report=True)
    async def main() -> int:
        event = await hitl.new_event.aio("approve", data_type=bool, prompt="Ship it?")
        ...

In a cluster, tasks that import this module (as depends_on=[hitl_flyte.env]
does) create their events in the app's store and link people to the app. A
local run (flyte.with_runcontext(mode="local")) serves its events from the
process itself, or from the app served locally when HITL_ENDPOINT names it.

app_environment() builds one with other settings: the store shared by the
app and the tasks (by default, the app's store is under the raw data path
Flyte gives the app, which tasks cannot see: give both the same store= in a
cluster), the image, the operator key as a Flyte secret, the public URL.
"""

from __future__ import annotations

import os
from typing import Any

import flyte
import flyte.app

from hitl_core import runtime
from hitl_core.config import ProvidedApp

__all__ = ["DEFAULT_PORT", "app_env", "app_environment", "env", "task_environment"]

DEFAULT_PORT = 8080
_IMAGE_PACKAGES = ("hitl-events[s3]",)
_APP_ENV_VAR = "HITL_FLYTE_APP"


def default_image() -> flyte.Image:
    """A Debian image with hitl and its S3 support installed."""
    return flyte.Image.from_debian_base(name="hitl-app-image").with_pip_packages(*_IMAGE_PACKAGES)


def app_environment(
    name: str = "hitl",
    *,
    store: str | None = None,
    port: int = DEFAULT_PORT,
    image: Any = None,
    api_key: flyte.Secret | None = None,
    public_url: str | None = None,
    replicas: tuple[int, int] = (0, 1),
    resources: flyte.Resources | None = None,
    requires_auth: bool = True,
) -> flyte.app.AppEnvironment:
    """An app environment that runs `hitl serve` on port, on every interface of its container.

    store: the store URL the app and the tasks share (HITL_STORE); unset, the app
    uses its raw data path (RAW_DATA_PATH or the path Flyte gives apps) + /hitl.
    api_key: a Flyte secret that becomes the operator key (HITL_API_KEY).
    public_url: the base URL people reach the app at, when it differs.
    """
    env_vars = {"HITL_HOST": "0.0.0.0"}  # people reach the app through Flyte's ingress
    if store:
        env_vars["HITL_STORE"] = store
    if public_url:
        env_vars["HITL_PUBLIC_URL"] = public_url
    secrets = [api_key] if api_key is not None else []
    environment = flyte.app.AppEnvironment(
        name=name,
        image=image if image is not None else default_image(),
        command=["hitl", "serve", "--port", str(port)],
        port=port,
        env_vars=env_vars,
        secrets=secrets,
        resources=resources or flyte.Resources(cpu=1, memory="512Mi"),
        requires_auth=requires_auth,
        scaling=flyte.app.Scaling(replicas=replicas, scaledown_after=600),
        description="hitl: forms and a JSON API where people answer the questions of tasks",
    )
    _apps[name] = environment  # the last one built is the app tasks use, unless one is named
    return environment


def task_environment(
    app: flyte.app.AppEnvironment, name: str = "hitl-tasks", **options: Any
) -> flyte.TaskEnvironment:
    """A task environment that depends on app and shares its store; options go to Flyte."""
    env_vars = dict(options.pop("env_vars", None) or {})
    env_vars[_APP_ENV_VAR] = app.name
    for shared in ("HITL_STORE", "HITL_PUBLIC_URL"):
        if shared in (app.env_vars or {}):
            env_vars.setdefault(shared, app.env_vars[shared])
    options.setdefault("image", app.image)
    return flyte.TaskEnvironment(name=name, depends_on=[app], env_vars=env_vars, **options)


_apps: dict[str, flyte.app.AppEnvironment] = {}
app_env = app_environment()
env = task_environment(app_env)


def _provided_app() -> ProvidedApp | None:
    """In a task of a cluster run, the app this module's environment depends on."""
    context = flyte.ctx()
    if not context or context.mode == "local":
        return None  # a local run serves its own events, unless HITL_ENDPOINT names an app
    named = os.environ.get(_APP_ENV_VAR)
    app = _apps.get(named) if named else None
    app = app or list(_apps.values())[-1]
    shared = app.env_vars or {}
    return ProvidedApp(
        endpoint=app.endpoint,  # inside the cluster; people follow HITL_PUBLIC_URL
        store=shared.get("HITL_STORE"),
        public_url=shared.get("HITL_PUBLIC_URL"),
    )


runtime.current().set_app_provider(_provided_app)
