"""placeholder"""
def convert(fn):
    return fn
