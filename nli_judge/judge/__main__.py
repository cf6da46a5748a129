from nli_judge.judge.cli import main

main()
