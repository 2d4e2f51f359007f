"""The generated support chain, built in layers: see elevstod.demo.support_chain."""
