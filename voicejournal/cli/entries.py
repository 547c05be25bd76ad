"""Entries: add, list, show, transcribe, tag, mood, edit, delete."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voicejournal.cli.one_entry import show_entry, tag_entry
from voicejournal.cli.opening import (
    indexed_journal,
    open_journal,
)
from voicejournal.cli.options import (
    DASH_ARGS,
    Whole,
    complete_ids,
    complete_tag_changes,
    date_option,
    filter_options,
    json_option,
    kind_option,
    model_options,
    no_unknown_options,
)
from voicejournal.cli.output import (
    err,
    length,
    print_json,
    print_marked,
    progress_bar,
    report_retention,
    when,
)
from voicejournal.core.wording import count


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--tag", "-t", "tags", multiple=True, help="Tag the entries (repeatable).")
@date_option("--date", help="When it was recorded (default: the file's own date).")
@kind_option("What kind of entry this is.", default="reflection")
@click.option("--no-transcribe", is_flag=True, help="Only store the audio; transcribe later.")
@model_options()
@click.option("--partial", is_flag=True, help="Keep what can be read of a damaged or cut-short file.")
@click.option(
    "--session", "session", metavar="ID", help="Link to this session (see `voicejournal session list`)."
)
def add(files, tags, date, kind, no_transcribe, model, language, partial, session):
    """Import recordings (wav, flac, mp3, m4a/aac, ogg/opus) and transcribe them.

    \b
    Example:
      voicejournal add ~/Downloads/memo.m4a --tag homework
    """
    journal = open_journal()
    status = err()
    report_retention(journal.apply_retention_if_due())
    failed = 0
    for path in files:
        with progress_bar("transcribe") as bar:
            task = bar.add_task(f"Transcribing {path.name}", total=None)

            def step(done, total, bar=bar, task=task):
                bar.update(task, completed=done, total=total)

            result = journal.add_files(
                [path],
                tags=tags,
                date=date,
                kind=kind,
                transcribe=not no_transcribe,
                model=model,
                language=language,
                partial=partial,
                session=session,
                progress=step,
            )[0]
        if not result.ok:
            failed += 1
            status.print(str(result.error), markup=False)
            continue
        entry = result.entry
        if entry.status == "no_speech":
            status.print(f"No speech detected in {path.name}; kept it as entry {entry.id}.", markup=False)
        elif entry.status == "pending":
            status.print(
                f"Saved {path.name} as entry {entry.id} (not transcribed yet: "
                "`voicejournal transcribe --pending`).",
                markup=False,
            )
        else:
            status.print(
                f"Added {path.name} as entry {entry.id} · {length(entry.duration)} · "
                f"`voicejournal show {entry.id}`",
                markup=False,
            )
        if result.quiet_db is not None:
            from voicejournal.speech.levels import quiet_warning

            status.print(quiet_warning(result.quiet_db, path.name), markup=False)
    if failed:
        sys.exit(1)


@click.command(name="list")
@filter_options()
@click.option("--limit", "-n", type=Whole(min=1), help="Show at most this many.")
@json_option()
def list_(since, until, tags, kind, themes, mood, limit, as_json):
    """List entries, newest first.

    \b
    Examples:
      voicejournal list --since "3 months ago" --tag family
      voicejournal list --theme sleep --mood 2
    """
    journal = indexed_journal()
    # The listing comes from the search index (fast on a big journal); --json reads the full entries.
    entries = journal.list_entries(
        since=since, until=until, tags=tags, themes=themes, kind=kind, mood=mood, limit=limit
    )
    if as_json:
        print_json([e.to_json() for e in journal.entries_by_ids([e.id for e in entries])])
        return
    if not entries:
        if any((since, until, tags, kind, themes, mood)):
            click.echo("No entries match these filters.", err=True)
            return
        err().print(
            "No entries yet. Record one with `voicejournal record` or import with `voicejournal add`."
        )
        return
    lines = []
    for e in entries:
        labels = ", ".join(e.tags + [t for t in e.themes if t not in e.tags])
        preview = (
            e.text[:70] + ("…" if len(e.text) > 70 else "") if e.text else f"({e.status.replace('_', ' ')})"
        )
        dur = length(e.duration) if e.duration else "text"
        lines.append((f"{when(e.created)}  ", e.id, f"  {dur:>9}  {labels:<24}  {preview}"))
    print_marked(lines)


@click.command()
@click.argument("entry_id", shell_complete=lambda c, p, i: complete_ids(c, p, i))
@click.option("--related", is_flag=True, help="List the entries closest in meaning to this one instead.")
@json_option()
def show(entry_id, related, as_json):
    """Show one entry: its transcript with the time of each sentence.

    \b
    Examples:
      voicejournal show a3f4
      voicejournal show a3f4 --related
    """
    if related:
        from voicejournal.cli.meaning import print_related

        return print_related(entry_id, 5, as_json)
    show_entry(entry_id, as_json)


@click.command()
@click.argument("entry_ids", nargs=-1)
@click.option("--pending", is_flag=True, help="Transcribe every entry still waiting for it.")
@click.option(
    "--all", "everything", is_flag=True,
    help="Transcribe every recording again (e.g. with --model base); your own corrections are kept.",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Replace transcripts you corrected by hand too.")
@model_options("e.g. base")
def transcribe(entry_ids, pending, everything, force, model, language):
    """Transcribe entries again (e.g. with a bigger model), every pending one, or all of them.

    \b
    Examples:
      voicejournal transcribe --pending
      voicejournal transcribe a3f4 --model base
      voicejournal transcribe --all --model base
    """
    if not entry_ids and not pending and not everything:
        raise click.UsageError("Name entry ids, or use --pending or --all.")
    journal = open_journal()
    with progress_bar("transcribe") as bar:
        task = bar.add_task("Transcribing", total=None)

        def step(entry, done, total):
            bar.update(task, description=f"Transcribing {entry.id}", completed=done, total=total)

        report = journal.transcribe(
            entry_ids,
            pending=pending,
            model=model,
            language=language,
            progress=step,
            everything=everything,
            force=force,
        )
    status = err()
    for entry in report.missing:
        status.print(f"Left {entry.id} as it is: its recording is missing ({entry.audio}).", markup=False)
    if not report.done:
        if report.current:
            status.print(f"Nothing to transcribe: {_already(report.current)}.", markup=False)
        elif not report.missing:
            status.print(
                f"Nothing to transcribe: no entry {'has a recording' if everything else 'is waiting'}."
            )
    if len(report.done) <= 10:
        for entry in report.done:
            what = (
                "no speech detected"
                if entry.status == "no_speech"
                else count(len(entry.text.split()), "word")
            )
            status.print(f"Transcribed {entry.id} with {entry.model}: {what}.", markup=False)
    else:
        status.print(
            f"Transcribed {count(len(report.done), 'entry')} with {report.done[0].model}.", markup=False
        )
    if report.done and report.current:
        status.print(f"Left {_already(report.current)}.", markup=False)
    if report.kept:
        ids = ", ".join(e.id for e in report.kept[:5]) + (", …" if len(report.kept) > 5 else "")
        status.print(
            f"Kept your own corrections in {count(len(report.kept), 'entry')} ({ids}); their new timings are "
            "saved. `--force` replaces corrected transcripts too.",
            markup=False,
        )
    if report.missing:
        sys.exit(1)


def _already(n: int) -> str:
    return f"{count(n, 'entry')} already transcribed with this model (--force does them again)"


class _TagCommand(click.Command):
    """`tag ID -<TAB>` completes the entry's tags to remove, not option names."""

    def shell_complete(self, ctx, incomplete):
        if incomplete.startswith("-") and not incomplete.startswith("--") and ctx.params.get("entry_id"):
            return complete_tag_changes(ctx, None, incomplete)
        return super().shell_complete(ctx, incomplete)


@click.command(cls=_TagCommand, context_settings=DASH_ARGS)
@click.argument("entry_id", shell_complete=complete_ids)
@click.argument("changes", nargs=-1, required=True, shell_complete=complete_tag_changes)
def tag(entry_id, changes):
    """Add (+tag) and remove (-tag) tags of an entry.

    \b
    Example:
      voicejournal tag a3f4 +family +sister -work
    """
    no_unknown_options(changes)
    tag_entry(entry_id, changes)


@click.command()
@click.argument("entry_id", shell_complete=complete_ids)
@click.argument("value", required=False)
def mood(entry_id, value):
    """Note or correct how you felt in an entry: 1 (low) to 5 (good), or a score out of ten.

    Without a value it shows the entry's mood. A mood you said while recording ("Mood: six out of ten")
    is noted by itself; this corrects it.

    \b
    Examples:
      voicejournal mood a3f4 4
      voicejournal mood a3f4 7/10          (noted as 4 of 5)
    """
    from voicejournal.core.mood import typed_mood

    journal = open_journal()
    entry = journal.get(entry_id) if value is None else journal.set_mood(entry_id, typed_mood(value))
    click.echo(f"{entry.id}: " + (f"mood {entry.mood}/5" if entry.mood else "no mood noted"))


@click.command()
@click.argument("entry_id", shell_complete=complete_ids)
def edit(entry_id):
    """Correct an entry's transcript in your editor ($EDITOR); what was heard is kept too.

    \b
    Example:
      EDITOR=nano voicejournal edit a3f4
    """
    journal = open_journal()
    entry = journal.get(entry_id)
    if entry.status == "pending":
        from voicejournal.errors import UsageError

        raise UsageError(
            f"Entry {entry.id} is not transcribed yet, so there is no text to correct. "
            f"Run `voicejournal transcribe {entry.id}` first."
        )
    from voicejournal.services.editing import EDIT_FOLDER, edit_text

    if journal.encryption_state() != "off":
        click.echo(
            "Your journal is encrypted; while your editor is open the transcript is a readable file in "
            f"{journal.home / EDIT_FOLDER}. It is shredded when you close the editor.",
            err=True,
        )
    changed = edit_text(journal.home, entry.text + "\n")
    if changed is None or changed.strip() == entry.text.strip():
        click.echo(f"No changes; entry {entry.id} is as it was.", err=True)
        return
    entry = journal.edit_text(entry.id, changed)
    note = " The words first heard are kept (`voicejournal show --json`)." if entry.segments else ""
    click.echo(f"Saved your corrections to {entry.id}.{note}", err=True)


@click.command()
@click.argument("entry_id", shell_complete=complete_ids)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(entry_id, yes):
    """Delete an entry and its recording (asks first).

    \b
    Example:
      voicejournal delete a3f4
    """
    journal = open_journal()
    entry = journal.get(entry_id)
    if not yes:
        what = f"{when(entry.created)}, " + (length(entry.duration) if entry.duration else "written")
        preview = " ".join(entry.text.split()[:8])
        prompt = f"Delete entry {entry.id} ({what}{': ' + repr(preview + '…') if preview else ''})"
        prompt += " and its recording?" if entry.audio else "?"
        try:
            confirmed = click.confirm(prompt, default=False, err=True)
        except click.Abort:
            confirmed = False
        if not confirmed:
            click.echo("Nothing was deleted. (--yes deletes without asking.)", err=True)
            sys.exit(1)
    journal.delete(entry.id)
    click.echo(f"Deleted entry {entry.id}{' and its recording' if entry.audio else ''}.", err=True)
