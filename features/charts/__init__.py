"""Charts where people would rather look than read: a transfer's throughput against its cap, a
validation's differences over time. PNGs drawn with matplotlib (Agg, no display) in a job, and
uploaded to the card's thread through the outbox (Services.upload; bot/poster.py sends them).

    render.py   the drawings: plain numbers in, PNG bytes out (matplotlib imported only here, lazily)
    jobs.py     the jobs the transfer watcher and the validation runner queue, and what they post
"""
