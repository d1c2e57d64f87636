"""Large CDR files for the import tests, written a row at a time (as a PBX appends them)."""

import datetime as dt
import json
from pathlib import Path

DISPOSITIONS = ("ANSWERED", "ANSWERED", "ANSWERED", "NO ANSWER", "BUSY")


def master_csv(path: Path, rows: int, start: dt.datetime, account="4000", step_s=7) -> Path:
    """`rows` cdr_csv rows (18 columns: uniqueid and userfield logged), every `step_s`
    seconds from `start` (naive, the PBX's local time)."""
    with path.open("w", encoding="utf-8", newline="") as f:
        for i in range(rows):
            at = start + dt.timedelta(seconds=i * step_s)
            disposition = DISPOSITIONS[i % len(DISPOSITIONS)]
            ring = 3 + i % 15
            duration = 20 + i % 300
            answered = disposition == "ANSWERED"
            answer = (at + dt.timedelta(seconds=ring)).strftime("%Y-%m-%d %H:%M:%S")
            end = (at + dt.timedelta(seconds=duration)).strftime("%Y-%m-%d %H:%M:%S")
            billsec = duration - ring if answered else 0
            caller = f"514555{i % 10000:04d}"
            f.write(
                f'"{account}","{caller}","{account}","from-trunk",'
                f'"""Client {i % 97}, Test"" <{caller}>","PJSIP/trunk-{i:08x}",'
                f'"PJSIP/agent-{1000 + i % 12}-{i + 1:08x}","Dial",'
                f'"PJSIP/agent-{1000 + i % 12},30,tT","{at:%Y-%m-%d %H:%M:%S}",'
                f'{chr(34) + answer + chr(34) if answered else ""},"{end}",{duration},{billsec},'
                f'"{disposition}","DOCUMENTATION","{1700000000 + i}.{i}",""\n'
            )
    return path


def freeswitch_lines(path: Path, template: dict, rows: int, start_epoch: int) -> Path:
    """`rows` mod_json_cdr documents, one a line (log-dir files put end to end)."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            doc = json.loads(json.dumps(template))
            v = doc["variables"]
            shift = start_epoch + i * 60 - int(v["start_epoch"])
            for name, value in list(v.items()):
                if name.endswith("_epoch") and value != "0":
                    v[name] = str(int(value) + shift)
                elif name.endswith("_uepoch") and value != "0":
                    v[name] = str(int(value) + shift * 1_000_000)
            v["uuid"] = f"00000000-0000-4000-8000-{i:012d}"
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    return path
