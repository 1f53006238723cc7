"""``labtunnel profile ...``: add, set, list, show, remove, set-password (and the sharing
and key actions of share_cmd and key_cmd)."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from labtunnel.cli import key_cmd, share_cmd
from labtunnel.cli.output import say
from labtunnel.cli.secrets_input import read_secret
from labtunnel.core.context import AppContext
from labtunnel.core.errors import FieldProblem, ProblemCode, ProfileInvalid
from labtunnel.core.profiles.model import (
    AuthMethod,
    GpuSetting,
    HostProfile,
    JumpHost,
    JupyterApp,
    JupyterSpec,
    NamedForward,
    RemoteForward,
    Target,
    parse_forward_spec,
    parse_host_port,
    parse_jump_spec,
    profile_to_dict,
    validate_profile,
)
from labtunnel.core.profiles.secrets import SecretKind
from labtunnel.core.profiles.slurm import SlurmJob
from labtunnel.messages import describe_profile_note


def register(commands: Any) -> None:
    profile = commands.add_parser("profile", help="manage lab servers (profiles)")
    actions = profile.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="save a new lab server",
        description="Save a new lab server. Without --remote it is a Jupyter profile: "
        "LabTunnel finds or starts your own Jupyter on the server.",
    )
    add.add_argument("name")
    add.add_argument("--host", required=True, help="server name or IP address")
    add.add_argument("--port", type=int, default=22, help="SSH port (default 22)")
    add.add_argument("--user", required=True, help="your user name on the server")
    auth = add.add_mutually_exclusive_group()
    auth.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin and keep it in the system keyring",
    )
    auth.add_argument("--key", metavar="PATH", help="log in with this private key file")
    auth.add_argument("--agent", action="store_true", help="log in with keys from the SSH agent")
    add.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="with --key: read the key's passphrase from stdin (kept in the keyring)",
    )
    add.add_argument(
        "--jump", metavar="SPEC", help="jump host: [user@]host[:port] or a profile name"
    )
    add.add_argument(
        "--remote", metavar="HOST:PORT", help="forward this address instead of Jupyter"
    )
    add.add_argument("--local-port", type=int, default=0, help="local port (0 = pick a free one)")
    add.add_argument(
        "--connect-timeout", type=int, default=15, help="seconds to wait for the server (15)"
    )
    add.add_argument(
        "--jupyter-env",
        default="",
        help="conda env name, venv folder or absolute path of `jupyter` (default: what your "
        "terminal on the server finds, then the usual conda places)",
    )
    add.add_argument("--jupyter-workdir", default="", help="folder Jupyter starts in (default ~)")
    add.add_argument(
        "--jupyter-app",
        choices=[a.value for a in JupyterApp],
        default=JupyterApp.AUTO.value,
        help="start JupyterLab or the Notebook app; auto (the default): Lab when the "
        "environment has it, else Notebook",
    )
    _gpu_argument(add)
    _slurm_arguments(add)
    _forward_option(add)
    add.add_argument(
        "--pin-fingerprint",
        action="append",
        default=[],
        metavar="SHA256:...",
        help="accept only this host key fingerprint (repeatable)",
    )
    add.set_defaults(handler=_add)

    change = actions.add_parser(
        "set",
        help="change settings of a saved lab server",
        description="Change settings of a saved lab server; options left out keep their "
        "value. Jupyter settings apply the next time LabTunnel starts Jupyter there. "
        "--forward adds an extra forward beside Jupyter (or replaces the one of that name); "
        "--remove-forward removes one.",
    )
    change.add_argument("name")
    change.add_argument("--jupyter-env", default=None, help="as for add (empty: login shell)")
    change.add_argument("--jupyter-workdir", default=None, help="as for add (empty: ~)")
    change.add_argument("--jupyter-app", choices=[a.value for a in JupyterApp], default=None)
    change.add_argument("--local-port", type=int, default=None, help="0 = pick a free one")
    _gpu_argument(change, default=None)
    _slurm_arguments(change, changing=True)
    _forward_option(change)
    change.add_argument(
        "--remove-forward",
        action="append",
        default=[],
        metavar="NAME",
        help="remove the extra forward of this name (repeatable)",
    )
    change.set_defaults(handler=_set)

    listing = actions.add_parser("list", help="list saved lab servers")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="show one lab server's settings")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=_show)

    remove = actions.add_parser("remove", help="delete a lab server and its saved secrets")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)

    set_password = actions.add_parser(
        "set-password", help="save a new password (or --passphrase) for a lab server"
    )
    set_password.add_argument("name")
    set_password.add_argument(
        "--passphrase", action="store_true", help="set the key passphrase instead"
    )
    set_password.add_argument("--stdin", action="store_true", help="read it from stdin")
    set_password.set_defaults(handler=_set_password)

    share_cmd.register_profile_actions(actions)
    key_cmd.register_profile_actions(actions)


def _slurm_arguments(parser: argparse.ArgumentParser, changing: bool = False) -> None:
    """The Slurm job's options, for ``add`` (defaults: the cluster's) and ``set`` (options
    left out keep their value)."""
    group = parser.add_argument_group(
        "Jupyter in a Slurm job",
        "With --slurm the server is a cluster's login node: Jupyter runs in a batch job on a "
        "compute node (the --jupyter-* settings apply inside the job). Empty values leave "
        "the cluster's defaults.",
    )
    group.add_argument(
        "--slurm", action="store_true", help="run Jupyter in a Slurm job through this login node"
    )
    if changing:
        group.add_argument(
            "--no-slurm", action="store_true", help="run Jupyter on the server itself again"
        )
    default_text = None if changing else ""
    default_number = None if changing else 0
    group.add_argument(
        "--partition", metavar="P", default=default_text, help="partition (default: the cluster's)"
    )
    group.add_argument(
        "--gpus", metavar="N", type=int, default=default_number, help="GPUs for the job (0)"
    )
    group.add_argument(
        "--cpus", metavar="N", type=int, default=default_number,
        help="CPUs for Jupyter and its kernels (0: the cluster's default)",
    )  # fmt: skip
    group.add_argument("--mem", metavar="SIZE", default=default_text, help="memory, like 16G")
    group.add_argument(
        "--time", metavar="D-HH:MM:SS", default=default_text,
        help="time limit (default: the partition's)",
    )  # fmt: skip
    group.add_argument("--account", metavar="A", default=default_text, help="account to charge")
    group.add_argument("--qos", metavar="Q", default=default_text, help="quality of service")
    group.add_argument(
        "--sbatch-option",
        metavar="LINE",
        action="append",
        default=None if changing else [],
        help="one more #SBATCH option (repeatable; with set: replaces the list); give it "
        "with =, like --sbatch-option=--constraint=a100",
    )


def _gpu_argument(parser: argparse.ArgumentParser, default: str | None = "any") -> None:
    parser.add_argument(
        "--gpu",
        default=default,
        metavar="any|all|none|N[,N]",
        help="GPUs for the Jupyter LabTunnel starts: any free one (default, picked with "
        "nvidia-smi), all, none, or GPU numbers such as 1 or 0,2 (CUDA_VISIBLE_DEVICES)",
    )


def _gpu(text: str) -> GpuSetting:
    try:
        return GpuSetting.parse(text)
    except ValueError:
        raise ProfileInvalid([FieldProblem("gpu", ProblemCode.BAD_GPU, text)]) from None


class UsageError(Exception):
    """Options that do not go together (exit status 2, like argparse's own errors)."""


_SLURM_FLAGS = (
    ("partition", "--partition"),
    ("gpus", "--gpus"),
    ("cpus", "--cpus"),
    ("mem", "--mem"),
    ("time", "--time"),
    ("account", "--account"),
    ("qos", "--qos"),
    ("sbatch_option", "--sbatch-option"),
)


def _slurm_job(args: argparse.Namespace) -> SlurmJob | None:
    given = [flag for key, flag in _SLURM_FLAGS if getattr(args, key)]
    if not args.slurm:
        if given:
            raise UsageError(f"{', '.join(given)} only go with --slurm (Jupyter in a Slurm job).")
        return None
    if args.remote:
        raise UsageError("--slurm runs Jupyter in a job; it does not go with --remote.")
    return SlurmJob(
        partition=args.partition.strip(),
        gpus=args.gpus,
        cpus=args.cpus,
        memory=args.mem.strip(),
        time_limit=args.time.strip(),
        account=args.account.strip(),
        qos=args.qos.strip(),
        extra_options=tuple(o.strip() for o in args.sbatch_option if o.strip()),
    )


def _forward_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--forward",
        action="append",
        default=[],
        metavar="NAME=HOST:PORT",
        help="also forward HOST:PORT as seen from the server, shown as NAME (e.g. "
        "TensorBoard=localhost:6006); its local port is kept across reconnects (repeatable)",
    )


def _forwards(specs: list[str]) -> list[NamedForward]:
    forwards = []
    for spec in specs:
        try:
            forwards.append(parse_forward_spec(spec))
        except ValueError:
            raise ProfileInvalid(
                [FieldProblem("forward_remote", ProblemCode.BAD_FORWARD, spec)]
            ) from None
    return forwards


def _target(args: argparse.Namespace) -> Target:
    slurm = _slurm_job(args)
    if args.remote:
        try:
            host, port = parse_host_port(args.remote, 0)
        except ValueError:
            raise ProfileInvalid(
                [FieldProblem("remote", ProblemCode.PORT_OUT_OF_RANGE, args.remote)]
            ) from None
        return RemoteForward(host, port)
    return JupyterSpec(
        app=JupyterApp(args.jupyter_app),
        env=args.jupyter_env,
        workdir=args.jupyter_workdir,
        gpu=_gpu(args.gpu),
        slurm=slurm,
    )


def _add(args: argparse.Namespace, context: AppContext) -> int:
    try:
        target = _target(args)
    except UsageError as error:
        say(f"labtunnel profile add: {error}")
        return 2
    store = context.store
    store.load()
    jump = None
    if args.jump:
        referenced = [p for p in store.profiles() if p.name.casefold() == args.jump.casefold()]
        if referenced:
            jump = JumpHost(profile_id=referenced[0].id)
        else:
            try:
                jump = parse_jump_spec(args.jump)
            except ValueError:
                raise ProfileInvalid(
                    [FieldProblem("jump", ProblemCode.PORT_OUT_OF_RANGE, args.jump)]
                ) from None
    auth = AuthMethod.PASSWORD
    if args.key:
        auth = AuthMethod.KEY
    elif args.agent:
        auth = AuthMethod.AGENT
    profile = HostProfile(
        name=args.name.strip(),
        host=args.host.strip(),
        port=args.port,
        username=args.user.strip(),
        auth=auth,
        key_path=args.key or "",
        jump=jump,
        target=target,
        local_port=args.local_port,
        connect_timeout=args.connect_timeout,
        pinned_fingerprints=tuple(args.pin_fingerprint),
        forwards=tuple(_forwards(args.forward)),
    )
    validate_profile(profile, store.profiles())
    secrets: dict[SecretKind, str] = {}
    if auth is AuthMethod.PASSWORD:
        password = read_secret(
            args.password_stdin, f"Password for {profile.username}@{profile.host}: "
        )
        if password:
            secrets[SecretKind.PASSWORD] = password
    if auth is AuthMethod.KEY and args.passphrase_stdin:
        passphrase = read_secret(True, "")
        if passphrase:
            secrets[SecretKind.PASSPHRASE] = passphrase
    context.profiles.add(profile, secrets)
    say(f"Saved “{profile.name}”.")
    if auth is AuthMethod.PASSWORD and not secrets:
        say(f'No password saved yet: run  labtunnel profile set-password "{profile.name}"')
    return 0


def _set(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    changes: dict[str, Any] = {}
    if args.local_port is not None:
        changes["local_port"] = args.local_port
    jupyter = {
        "env": args.jupyter_env,
        "workdir": args.jupyter_workdir,
        "app": JupyterApp(args.jupyter_app) if args.jupyter_app else None,
        "gpu": _gpu(args.gpu) if args.gpu is not None else None,
    }
    jupyter = {k: v.strip() if isinstance(v, str) else v for k, v in jupyter.items()}
    jupyter = {k: v for k, v in jupyter.items() if v is not None}
    try:
        slurm = _changed_slurm(args, profile)
    except UsageError as error:
        say(f"labtunnel profile set: {error}")
        return 2
    if slurm is not _UNCHANGED:
        jupyter["slurm"] = slurm
    if jupyter:
        if not isinstance(profile.target, JupyterSpec):
            raise ProfileInvalid(
                [FieldProblem("remote", ProblemCode.NOT_JUPYTER, str(profile.target))]
            )
        changes["target"] = replace(profile.target, **jupyter)
    forwards = _changed_forwards(profile, args.forward, args.remove_forward)
    if forwards != profile.forwards:
        changes["forwards"] = forwards
    if not changes:
        say(describe_profile_note("nothing_to_change").text)
        return 1
    updated = context.profiles.update(profile.with_changes(**changes))
    say(describe_profile_note("changed", name=updated.name).text)
    return 0


_UNCHANGED: Any = object()


def _changed_slurm(args: argparse.Namespace, profile: HostProfile) -> Any:
    """The profile's Slurm job after ``set`` (``_UNCHANGED`` when no option is about it)."""
    given = {
        key: getattr(args, key) for key, _flag in _SLURM_FLAGS if getattr(args, key) is not None
    }
    if args.no_slurm:
        if args.slurm or given:
            raise UsageError("--no-slurm does not go with --slurm or the job's options.")
        return None
    current = profile.target.slurm if isinstance(profile.target, JupyterSpec) else None
    if not args.slurm and not given:
        return _UNCHANGED
    if current is None and not args.slurm:
        flags = ", ".join(flag for key, flag in _SLURM_FLAGS if key in given)
        raise UsageError(f"{flags} only go with --slurm (Jupyter in a Slurm job).")
    fields = {
        "partition": "partition", "gpus": "gpus", "cpus": "cpus", "mem": "memory",
        "time": "time_limit", "account": "account", "qos": "qos",
    }  # fmt: skip
    changes: dict[str, Any] = {
        fields[key]: value.strip() if isinstance(value, str) else value
        for key, value in given.items()
        if key in fields
    }
    if "sbatch_option" in given:
        changes["extra_options"] = tuple(o.strip() for o in given["sbatch_option"] if o.strip())
    return replace(current or SlurmJob(), **changes)


def _changed_forwards(
    profile: HostProfile, added: list[str], removed: list[str]
) -> tuple[NamedForward, ...]:
    """The profile's extra forwards after ``--remove-forward NAME`` and ``--forward``
    (which replaces a forward of the same name, in its place)."""
    forwards = {f.name.casefold(): f for f in profile.forwards}
    for name in removed:
        if forwards.pop(name.strip().casefold(), None) is None:
            raise ProfileInvalid([FieldProblem("forward_name", ProblemCode.NO_SUCH_FORWARD, name)])
    for forward in _forwards(added):
        forwards[forward.name.casefold()] = forward
    return tuple(forwards.values())


def _describe_target(profile: HostProfile) -> str:
    text = _describe_main_target(profile)
    if profile.forwards:
        text += " + " + ", ".join(f.name for f in profile.forwards)
    return text


def _describe_main_target(profile: HostProfile) -> str:
    if isinstance(profile.target, RemoteForward):
        return f"forward {profile.target}"
    spec = profile.target
    where = f" in {spec.env}" if spec.env else ""
    if spec.slurm is not None:
        request = " ".join(spec.slurm.sbatch_options()) or "cluster defaults"
        return f"Jupyter {spec.app.value}{where} in a Slurm job ({request})"
    gpu = f", GPU {spec.gpu}" if str(spec.gpu) != "any" else ""
    app = "lab, else notebook" if spec.app is JupyterApp.AUTO else spec.app.value
    return f"Jupyter {app}{where}{gpu}"


def _list(args: argparse.Namespace, context: AppContext) -> int:
    profiles = context.store.profiles()
    if args.json:
        print(json.dumps([profile_to_dict(p) for p in profiles], indent=2, ensure_ascii=False))
        return 0
    if not profiles:
        say("No lab servers yet. Add one with:  labtunnel profile add NAME --host H --user U")
        return 0
    for p in profiles:
        print(f"{p.name}\t{p.username}@{p.host}:{p.port}\t{_describe_target(p)}")
    return 0


def _show(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    data = profile_to_dict(profile)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for key, value in data.items():
        print(f"{key}: {value}")
    return 0


def _remove(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.profiles.remove(context.store.get(args.name).id)
    say(f"Removed “{profile.name}” and its saved secrets.")
    return 0


def _set_password(args: argparse.Namespace, context: AppContext) -> int:
    profile = context.store.get(args.name)
    kind = SecretKind.PASSPHRASE if args.passphrase else SecretKind.PASSWORD
    value = read_secret(args.stdin, f"New {kind.value} for {profile.name}: ")
    if not value:
        say(f"No {kind.value} given: nothing changed. Use --stdin to pipe it in.")
        return 1
    context.profiles.set_secret(profile.id, kind, value)
    say(f"Saved the {kind.value} for “{profile.name}” in the system keyring.")
    return 0
