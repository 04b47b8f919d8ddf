from sslint.cli import main

main()
