from echotrace.cli import main

main()
