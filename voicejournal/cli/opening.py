"""Opening the journal for a command: the passphrase first (asked here, never by the library),
then recordings a crash left behind."""

from __future__ import annotations

import sys

from voicejournal.cli.output import (
    echo,
    interactive,
    when,
)
from voicejournal.core.wording import noun
from voicejournal.errors import VoiceJournalError


def open_journal(unlock: bool = True):
    from voicejournal.journal import Journal

    journal = Journal()
    if unlock:
        ask_passphrase(
            journal
        )  # before anything is read: the library never prompts, least of all under the lock
    report_recovered(journal)  # --- recording: finish what a crash interrupted (see the end of this file)
    return journal


def ask_passphrase(journal) -> str | None:
    """Unlock an encrypted journal: from its usual sources, else typed on a terminal (never echoed).

    Returns the passphrase, or None when the journal is not encrypted.
    """
    from voicejournal.store.home import has_key_file

    if not has_key_file(journal.home):
        return None  # a plain journal never loads the encryption code
    from voicejournal.errors import PassphraseError
    from voicejournal.store import keyfile, keys

    key_file = keyfile.load_key_file(journal.home)
    if key_file is None:
        return None
    try:
        passphrase, key = keys.find_passphrase(journal.home, key_file)
    except keys.NoPassphraseError:
        if not interactive():
            raise
        import getpass

        for attempt in range(3):
            typed = getpass.getpass(f"Passphrase for the journal in {journal.home}: ")
            key = keys.try_passphrase(key_file, typed) if typed else None
            if key is not None:
                passphrase = typed
                break
            if attempt < 2:
                echo("That passphrase does not open this journal; try again.", err=True)
        else:
            raise PassphraseError(
                "Wrong passphrase: the journal stayed locked. Nothing was changed."
            ) from None
    keys.remember_key(journal.home, key_file, key)
    return passphrase


def ask_new_passphrase(env: str, what: str) -> str:
    """A new passphrase from `env`, else typed twice on a terminal, else a clear error."""
    from voicejournal.errors import PassphraseError, UsageError
    from voicejournal.store import keyfile, keys

    try:
        return warn_if_weak(keys.new_passphrase_from_env(env, what))
    except keys.NoPassphraseError:
        if not interactive():
            raise
    import getpass

    for _ in range(3):
        first = getpass.getpass(f"Choose {what} (at least {keyfile.MIN_PASSPHRASE} characters): ")
        try:
            keyfile.check_new_passphrase(first)
        except UsageError as exc:
            echo(str(exc), err=True)
            continue
        if getpass.getpass("Type it again: ") == first:
            return warn_if_weak(first)
        echo("The two did not match; try again.", err=True)
    raise PassphraseError("No passphrase was set. Nothing was changed.")


def warn_if_weak(passphrase: str) -> str:
    """Accept it (the minimum was checked), but say when it is easy to guess offline from a copied journal."""
    from voicejournal.store.keyfile import weak_passphrase

    if weak_passphrase(passphrase):
        echo(
            "Warning: this passphrase is easy to guess for anyone with a copy of the journal. A few unrelated "
            "words you will remember (12 characters or more) are much safer; `voicejournal passwd` changes it.",
            err=True,
        )
    return passphrase


def indexed_journal():
    """The journal, saying so on stderr when its search index has to be built first (big journals)."""
    journal = open_journal()
    journal.index.on_rebuild = lambda n: echo(
        f"Updating the search index ({n:,} {noun(n, 'entry')}; only needed once)…", err=True
    )
    return journal


def report_recovered(journal) -> None:
    """Finish recordings a crash or kill interrupted; say so on stderr (never stops the command)."""
    try:
        recovered = journal.recover()
    except VoiceJournalError as exc:
        echo(f"An interrupted recording could not be recovered yet: {exc}", err=True)
        return
    except Exception as exc:  # a bug, but it must never lock the person out of their journal
        if "--debug" in sys.argv:
            raise
        echo(
            f"An interrupted recording could not be recovered yet ({type(exc).__name__}: {exc}); it is kept "
            "in audio/incoming. Run `voicejournal --debug list` for details.",
            err=True,
        )
        return
    for entry in recovered:
        echo(
            f"Recovered an interrupted recording from {when(entry.created)} as entry {entry.id} "
            "(pending transcription).",
            err=True,
        )
    waiting = journal.waiting_for_space
    if waiting:
        from voicejournal.store.diskspace import HOW_TO_FREE, free_bytes, human_size

        which = (
            "An interrupted recording is"
            if len(waiting) == 1
            else f"{len(waiting)} interrupted recordings are"
        )
        free = free_bytes(waiting[0])
        echo(
            f"Note: {which} kept safe in {waiting[0].parent}, waiting for room on the disk to be saved "
            f"({human_size(free or 0)} free). Free some space ({HOW_TO_FREE}); the next command saves it.",
            err=True,
        )
