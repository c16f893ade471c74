"""The official text of the constitutional oath (宪法宣誓誓词).

From the NPC Standing Committee's Decision on Implementing the Constitutional Oath System,
as revised on 24 February 2018. A ceremony stores the text and version it used.
"""

OATH_VERSION = "2018"
OATH_TEXT = (
    "我宣誓：忠于中华人民共和国宪法，维护宪法权威，履行法定职责，忠于祖国、忠于人民，"
    "恪尽职守、廉洁奉公，接受人民监督，为建设富强民主文明和谐美丽的社会主义现代化强国努力奋斗！"
)
