"""The ``alliance`` command: demo, serve, migrate, createstaff, audit verify, ...

Configuration comes only from ``ALLIANCE_*`` environment variables; this command sets a few
defaults (for the demo) before Django starts, and otherwise hands over to Django.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from alliance.instruments.cli import add_parser as add_instruments_parser


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_migrate(_: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", "--verbosity", "1")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _django_setup()
    from django.conf import settings

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    bind = f"{args.host}:{args.port}"
    supervisor = None
    if not args.no_worker:
        # Background work (measure schedules, alert escalation) from the same database, by a
        # worker that is started again whenever it ends (alliance.operations.supervisor).
        from alliance.operations.supervisor import Supervisor, worker_command

        supervisor = Supervisor(worker_command())
        supervisor.start()
    try:
        if args.dev:
            _manage("runserver", bind, "--noreload")
            return 0
        from gunicorn.app.wsgiapp import run

        # The access log names no path: self-completion links carry their token in the path
        # (SEC-28: no tokens in logs).
        sys.argv = [
            "gunicorn",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s" %(s)s %(L)ss',
            "alliance.config.wsgi:application",
        ]
        run()
        return 0
    finally:
        if supervisor is not None:
            supervisor.stop()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the periodic jobs (measure schedules, alert escalation) until SIGTERM or Ctrl-C.

    The loop outlives database outages and leases each run (alliance.operations.worker).
    """
    _django_setup()
    from alliance.operations.worker import Worker

    worker = Worker(parent_pid=args.parent)
    worker.handle_signals()
    worker.run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("ALLIANCE_REQUIRE_MFA", "0")
    os.environ.setdefault("ALLIANCE_DEMO", "1")
    _django_setup()
    from django.conf import settings

    if settings.PRODUCTION:
        print("alliance demo refuses to run with ALLIANCE_ENV=production", file=sys.stderr)
        return 2
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", "--verbosity", "0")
    from alliance.demo.clinic import demo_build, demo_logins_text

    result = demo_build(clients=args.clients, seed=args.seed)
    print(demo_logins_text(result))
    if args.no_serve:
        return 0
    print(f"Serving the demo clinic on http://127.0.0.1:{args.port}  (Ctrl-C stops it)")
    args.host, args.dev, args.workers, args.no_worker = "127.0.0.1", False, 2, False
    return cmd_serve(args)


def cmd_createstaff(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.exceptions import ValidationError

    from alliance.staff.services import staff_create

    password = os.environ.get("ALLIANCE_NEW_STAFF_PASSWORD") or getpass.getpass("Password: ")
    try:
        user = staff_create(
            actor=None,
            username=args.username,
            password=password,
            first_name=args.first_name,
            last_name=args.last_name,
            discipline=args.discipline,
            email=args.email or "",
            admin_site=args.discipline == "it_administrator",
        )
    except ValidationError as error:
        for message in error.messages:
            print(f"error: {message}", file=sys.stderr)
        return 2
    print(f"created {user.username} ({user.get_discipline_display()})")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _django_setup()
    if args.audit_command == "verify":
        from alliance.audit.verify import audit_verify

        result = audit_verify()
        print(result.describe(), file=sys.stdout if result.ok else sys.stderr)
        return 0 if result.ok else 1
    from alliance.audit.checkpoints import checkpoint_write
    from alliance.audit.models import AuditEvent

    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        print("no audit events yet")
        return 0
    try:
        point = checkpoint_write(seq=head[0], head=head[1])
    except OSError as error:  # a full or unwritable folder: say so, no traceback
        print(f"checkpoint not written: {error.strerror or type(error).__name__}", file=sys.stderr)
        return 1
    print(f"checkpoint written at event #{point.seq}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """``alliance backup`` writes an encrypted backup; ``alliance backup verify PATH``
    restores one into a throwaway database and checks it (REL-07, docs/operations.md)."""
    _django_setup()
    from alliance.backups.errors import BackupError
    from alliance.backups.services import backup_create, backup_verify

    try:
        if args.backup_command == "verify":
            report = backup_verify(path=args.path, into=args.into)
            print(report.describe(), file=sys.stdout if report.ok else sys.stderr)
            return 0 if report.ok else 1
        print(backup_create(output=args.output).describe())
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into the configured database, which must be empty."""
    _django_setup()
    from alliance.backups.errors import BackupError
    from alliance.backups.services import backup_restore

    try:
        print(backup_restore(path=args.path).describe())
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["alliance manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alliance", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the synthetic demo clinic and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="build the clinic and stop")
    demo.add_argument("--clients", type=int, default=300)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve Alliance with gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=3)
    serve.add_argument("--dev", action="store_true", help="Django's development server instead")
    serve.add_argument(
        "--no-worker", action="store_true", help="do not start the background-task worker"
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker", help="run background work: measure schedules, alert escalation (serve starts it)"
    )
    worker.add_argument(
        "--parent", type=int, metavar="PID", help="stop once process PID is no longer the parent"
    )
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="create or update the database tables").set_defaults(
        func=cmd_migrate
    )

    staff = sub.add_parser("createstaff", help="create one staff account")
    staff.add_argument("username")
    staff.add_argument("--first-name", required=True)
    staff.add_argument("--last-name", required=True)
    staff.add_argument(
        "--discipline", required=True, help="e.g. lcsw, psychiatrist, it_administrator"
    )
    staff.add_argument("--email")
    staff.set_defaults(func=cmd_createstaff)

    audit = sub.add_parser("audit", help="audit trail tools")
    audit.add_argument("audit_command", choices=["verify", "checkpoint"])
    audit.set_defaults(func=cmd_audit)

    backup = sub.add_parser(
        "backup", help="write an encrypted backup (verify PATH: restore it and check it)"
    )
    backup.add_argument(
        "--output", type=Path, help="the file to write (default: var/backups/alliance-TIME.backup)"
    )
    backup_sub = backup.add_subparsers(dest="backup_command")
    verify = backup_sub.add_parser(
        "verify", help="restore a backup into a throwaway database; check counts, audit, signatures"
    )
    verify.add_argument("path", type=Path)
    verify.add_argument(
        "--into",
        metavar="URL",
        help="an empty database to restore into (default: a temporary one); no password in it",
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into the empty configured database")
    restore.add_argument("path", type=Path)
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    # Pure Python: scoring needs no database, so this group never starts Django.
    add_instruments_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
