from voicejournal.cli import main

main()
