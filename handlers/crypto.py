"""Handler of `mlf crypto rotate-kek`."""


def rotate_kek(*, new_passphrase, new_passphrase_file, backend_store_uri, yes, ctx):
    from runtime.crypto.rotate import rotate_kek_command

    rotate_kek_command(ctx, new_passphrase=new_passphrase, new_passphrase_file=new_passphrase_file,
                       backend_store_uri=backend_store_uri, yes=yes)
