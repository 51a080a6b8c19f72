"""equity-xlsx: county 义务教育优质均衡 evaluation from statistical workbooks."""

__version__ = "0.1.0"
