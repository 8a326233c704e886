"""The ``o2o`` command."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from api.settings import Settings, SettingsError
from api.structured_logs import configure_logging

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="o2o", description="Member-store order and loyalty backend."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API (and the deadline worker)")
    serve.add_argument("--host", help="address to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 8000)")
    serve.add_argument(
        "--no-worker", action="store_true", help="do not run the deadline worker in-process"
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="run the deadline worker alone")
    worker.set_defaults(run=_worker)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)

    seed = commands.add_parser("seed", help="load data into the database")
    seed.add_argument("--demo", action="store_true", required=True, help="the Guangzhou demo")
    seed.set_defaults(run=_seed)

    admin = commands.add_parser("create-admin", help="create an admin, or reset its password")
    admin.add_argument("--phone", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", default="Admin")
    admin.set_defaults(run=_create_admin)

    export = commands.add_parser("export-schema", help="write the GraphQL schema as SDL")
    export.add_argument("--output", type=Path, default=SCHEMA_FILE, help=f"default: {SCHEMA_FILE}")
    export.set_defaults(run=_export_schema)

    tasks = commands.add_parser("tasks", help="call-back tasks")
    tasks_commands = tasks.add_subparsers(dest="tasks_command", required=True)
    generate = tasks_commands.add_parser(
        "generate", help="make a day's call-back tasks now (again: none)"
    )
    generate.add_argument(
        "--day",
        type=_day,
        help="YYYY-MM-DD, in BRAND_TIMEZONE (default: today there)",
    )
    generate.set_defaults(run=_tasks_generate)

    shipments = commands.add_parser("shipments", help="the channel's shipments")
    shipments_commands = shipments.add_subparsers(dest="shipments_command", required=True)
    shipments_import = shipments_commands.add_parser(
        "import",
        help="record shipments from a CSV file (again: nothing new)",
        description=(
            "FILE is UTF-8 CSV with the header distributor,store,product,serial: a "
            "distributor's code, a store's code, a product's sku and one unit code a line."
        ),
    )
    shipments_import.add_argument("file", type=Path, metavar="FILE.csv")
    shipments_import.set_defaults(run=_shipments_import)

    storeapp = commands.add_parser("storeapp", help="the store app in a terminal")
    storeapp_commands = storeapp.add_subparsers(dest="storeapp_command", required=True)
    listen = storeapp_commands.add_parser(
        "listen", help="print the store's offers and withdrawals as they come"
    )
    listen.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    listen.add_argument("--phone", required=True, help="a clerk's or manager's phone")
    listen.add_argument("--password", required=True)
    listen.add_argument("--auto-accept", action="store_true", help="accept every offer at once")
    listen.set_defaults(run=_storeapp_listen)
    tasks = storeapp_commands.add_parser(
        "tasks", help="the day's call-back tasks, or the morning slip (--print, --printer)"
    )
    tasks.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    tasks.add_argument("--phone", required=True, help="a clerk's or manager's phone")
    tasks.add_argument("--password", required=True)
    tasks.add_argument("--day", help="YYYY-MM-DD; default: the brand's today")
    tasks.add_argument("--print", action="store_true", help="the slip at 32 columns")
    tasks.add_argument(
        "--printer", metavar="DEVICE|HOST:PORT", help="send the slip to an ESC/POS printer"
    )
    tasks.add_argument("--lang", choices=("zh", "en"), default="zh", help="the slip's language")
    tasks.set_defaults(run=_storeapp_tasks)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"o2o: configuration error: {exc}", file=sys.stderr)
        return 2
    run: Command = args.run
    return run(args, settings)


def _with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    from domain.db import close_database, open_database

    async def run() -> int:
        ctx = await open_database(settings.database_url)
        try:
            return await work()
        finally:
            await close_database(ctx)

    return asyncio.run(run())


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from api.serving import uvicorn_options

    host = args.host or settings.host
    port = args.port or settings.port
    if settings.secret_key_generated:
        logging.getLogger("o2o").warning(
            "SECRET_KEY is not set: using a random key, tokens end with this process"
        )
    app = create_app(settings, run_worker=not args.no_worker)
    print(f"o2o serving on http://{host}:{port}/graphql", flush=True)
    print(f"store app: http://{host}:{port}/store", flush=True)
    _calm_garbage_collector()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        lifespan="on",
        # Our JSON handler takes uvicorn's records; RequestLog writes the access line.
        log_config=None,
        access_log=False,
        **uvicorn_options(settings),
    )
    return 0


def _calm_garbage_collector() -> None:
    """Objects made at start-up (modules, the schema) live for ever: move them out of the
    collector's sight, and collect the young generation less often, which shortens the pauses
    that otherwise land in the middle of requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


# CPython's default is (700, 10, 10): a young collection every 700 allocations.
GC_THRESHOLDS = (7000, 20, 20)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from api.worker import run_worker

    return asyncio.run(run_worker(settings))


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from domain.db import migrate

    print(f"migrating {_redact(settings.database_url)}", flush=True)
    asyncio.run(migrate(settings.database_url, progress=lambda line: print(line, flush=True)))
    print("database is up to date", flush=True)
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from domain.seed import demo_logins, seed_demo

    async def work() -> int:
        report = await seed_demo(progress=lambda line: print(line, flush=True))
        print(f"demo data: {report.created} rows created, {report.existing} already there")
        print("logins (phone / password, tokenCreate's role):")
        for who, phone, password, role in demo_logins():
            print(f"  {who:32} {phone} / {password}  role: {role}")
        return 0

    return _with_database(settings, work)


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from domain.access.accounts import create_admin
    from domain.errors import DomainError

    async def work() -> int:
        try:
            admin, created = await create_admin(
                phone=args.phone, password=args.password, name=args.name
            )
        except DomainError as exc:
            print(f"o2o: {exc.message}", file=sys.stderr)
            return 2
        print(f"admin {admin.phone} {'created' if created else 'password reset'}")
        return 0

    return _with_database(settings, work)


def _export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema.root import build_schema

    output: Path = args.output
    output.write_text(str(build_schema()) + "\n")
    print(f"wrote {output}")
    return 0


def progress_bar(out: TextIO, width: int = 20) -> Callable[[str, int, int], None]:
    """A one-line bar, redrawn in place on a terminal, one line per step elsewhere."""
    live = out.isatty()

    def show(step: str, done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {step}"
        if live:
            out.write("\r" + line.ljust(width + 40) + ("\n" if done >= total else ""))
        else:
            out.write(line + "\n")
        out.flush()

    return show


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _tasks_generate(args: argparse.Namespace, settings: Settings) -> int:
    from zoneinfo import ZoneInfo

    from api.runtime import crm_generation
    from domain.crm.generation import generate_day
    from domain.errors import DomainError

    now = datetime.now(UTC)
    day: date = args.day or now.astimezone(ZoneInfo(settings.crm.brand_timezone)).date()

    async def work() -> int:
        try:
            made = await generate_day(
                day, crm_generation(settings.crm), now, progress=progress_bar(sys.stdout)
            )
        except DomainError as exc:
            print(f"o2o: {exc.message}", file=sys.stderr)
            return 2
        if not made.made:
            print(f"{day}: made already, nothing new")
            return 0
        print(
            f"{day}: {made.tasks} tasks, {made.closed} closed, {made.vouchers} vouchers,"
            f" {made.messages} messages"
        )
        return 0

    return _with_database(settings, work)


def _shipments_import(args: argparse.Namespace, settings: Settings) -> int:
    from domain.crm.channel.imports import import_rows, parse
    from domain.errors import DomainError

    path: Path = args.file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"o2o: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        # utf-8-sig: the BOM that Excel's "CSV UTF-8" puts first is not part of the header.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        print(
            f"o2o: {path} is not UTF-8 (line {line}: byte 0x{raw[exc.start]:02X}); "
            "save it as UTF-8 CSV and run again. Nothing was recorded.",
            file=sys.stderr,
        )
        return 2
    try:
        rows, malformed = parse(text)
    except DomainError as exc:
        print(f"o2o: {path}: {exc.message} Nothing was recorded.", file=sys.stderr)
        return 2

    async def work() -> int:
        report = await import_rows(
            rows,
            source=path.name,
            now=datetime.now(UTC),
            progress=progress_bar(sys.stderr),
            rejected=malformed,
        )
        print(f"{path.name}: {report.recorded} codes recorded in {report.shipments} shipments")
        if report.already:
            print(f"{report.already} codes recorded by an earlier run of this file")
        print(f"{len(report.rejected)} rejected")
        for r in report.rejected:
            print(f"  line {r.line}: {r.serial}: {r.reason}")
        return 0

    return _with_database(settings, work)


def _storeapp_listen(args: argparse.Namespace, settings: Settings) -> int:
    from storeapp.terminal import listen

    return listen(args.url, args.phone, args.password, auto_accept=args.auto_accept)


def _storeapp_tasks(args: argparse.Namespace, settings: Settings) -> int:
    from storeapp.terminal import tasks

    return tasks(
        args.url,
        args.phone,
        args.password,
        day=args.day,
        slip=args.print,
        printer=args.printer,
        lang=args.lang,
    )


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return scheme + sep + rest


if __name__ == "__main__":
    sys.exit(main())
