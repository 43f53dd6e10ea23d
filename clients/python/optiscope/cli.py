"""The ``optiscope`` command: ``optiscope sync`` uploads spooled records."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .client import Optiscope
from .sender import default_spool_dir, sync


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="optiscope", description="Optiscope command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="upload the records spooled while the server was unreachable")
    sync_parser.add_argument("--url", help="server URL (default: OPTISCOPE_URL)")
    sync_parser.add_argument("--api-key", help="API key (default: OPTISCOPE_API_KEY)")
    sync_parser.add_argument("--spool-dir", help=f"spool directory (default: OPTISCOPE_SPOOL_DIR or {default_spool_dir()})")
    sync_parser.add_argument("--run", help="only this run id")
    args = parser.parse_args(argv)

    if args.command == "sync":
        client = Optiscope(args.url, args.api_key, timeout=15, max_retries=2, backoff=0.2)
        result = sync(client, args.spool_dir, run_id=args.run)
        print(
            f"optiscope sync: {result.sent} records sent for {len(result.runs)} run(s), "
            f"{result.failed} refused, {result.unsupported} not supported by the server, {result.remaining} still spooled"
        )
        for error in result.errors[:10]:
            print(f"  refused: {error}", file=sys.stderr)
        return 0 if result.remaining == 0 and result.failed == 0 else 1
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
