from klear_ct.cli import main

main()
