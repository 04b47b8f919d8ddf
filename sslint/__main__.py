from sslint.cli import console

console()
