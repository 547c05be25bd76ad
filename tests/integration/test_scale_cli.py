"""A long written journal through the CLI: one import, then instant lookups by id."""

import json


def test_import_of_years_then_show_and_tag_by_id(run_cli, tmp_path):
    entries = [
        {"date": f"{2016 + i // 365}-{i % 365 // 31 + 1:02d}-{i % 28 + 1:02d}", "time": "21:00",
         "title": f"Evening {i}.", "body": "Talked to my sister about the move.", "tags": [], "starred": False}
        for i in range(1500)
    ]  # fmt: skip
    export = tmp_path / "journal.json"
    export.write_text(json.dumps({"tags": {}, "entries": entries}))

    first = run_cli("import", "--from", "jrnl", str(export), check=True)
    again = run_cli("import", "--from", "jrnl", str(export), check=True)

    assert first.stderr.splitlines() == [
        "Imported 1500 entries from journal.json.",
        "See them with `voicejournal list --kind journal`.",
    ]
    assert again.stderr.splitlines() == [
        "Imported 0 entries from journal.json; 1500 already imported before."
    ]
    listed = json.loads(run_cli("list", "--json", "--limit", "2000", check=True).stdout)
    assert len(listed) == 1500
    entry_id = listed[-1]["id"]
    assert "Evening 0." in run_cli("show", entry_id, check=True).stdout
    run_cli("tag", entry_id, "+move", check=True)
    assert json.loads(run_cli("list", "--tag", "move", "--json", check=True).stdout)[0]["id"] == entry_id
