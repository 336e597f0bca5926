from klear_ct.cli import app

app()
