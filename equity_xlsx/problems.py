"""Problems are data: a code from one closed set, a level, a location and parameters.

Found where they happen (intake, reconcile, the run), rendered to Chinese only at the edge
(the 数据问题 sheet, 运行报告, summary.json, the console) from the code's template, in the
manner of frictionless' error types and pandera's reason codes. Tests assert codes, never
wording.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable, Mapping

from .vocabulary import CountySheet, LedgerStatus


class Level(StrEnum):
    ERROR = "error"  # a value, sheet or file could not be used
    WARNING = "warning"  # used, but look at it


LEVEL_LABEL = {Level.ERROR: "错误", Level.WARNING: "警告"}


class Code(StrEnum):
    """Every kind of problem the tool reports. Add a member and its template together."""

    # the file as a whole
    UNREADABLE = "unreadable"
    LIMIT = "limit"
    NO_SCHOOL_DATA = "no_school_data"
    INTERNAL = "internal"
    WORKER_DIED = "worker_died"
    OUT_OF_MEMORY = "out_of_memory"
    # sheets
    HIDDEN_SHEET = "hidden_sheet"
    CORRUPT_SHEET = "corrupt_sheet"
    EMPTY_SHEET = "empty_sheet"
    CUT = "cut"
    NO_TABLE = "no_table"
    MISSING_COLUMN = "missing_column"
    FIELD_NOT_FOUND = "field_not_found"
    # headers
    UNKNOWN_UNIT = "unknown_unit"
    DUPLICATE_COLUMN = "duplicate_column"
    DEFAULT_UNIT = "default_unit"
    TITLE_UNIT = "title_unit"
    # cells and rows
    NOT_A_NUMBER = "not_a_number"
    NO_CACHED_VALUE = "no_cached_value"
    NEGATIVE = "negative"
    BLANK_VALUE = "blank_value"
    NAME_EMPTY = "name_empty"
    FORM_NAME_EMPTY = "form_name_empty"
    MERGE_ACROSS_COLUMNS = "merge_across_columns"
    MERGE_ACROSS_SCHOOLS = "merge_across_schools"
    # schools and sections
    UNKNOWN_STAGE = "unknown_stage"
    NO_STAGE = "no_stage"
    DUPLICATE_SCHOOL = "duplicate_school"
    STUDENTS_MISSING = "students_missing"
    STUDENTS_NOT_POSITIVE = "students_not_positive"
    STUDENTS_FRACTION = "students_fraction"
    SAME_VALUE_EACH_STAGE = "same_value_each_stage"
    WHOLE_NOT_SPLITTABLE = "whole_not_splittable"
    SPLIT_NO_STUDENTS = "split_no_students"
    SPLIT_NO_WEIGHTS = "split_no_weights"
    COMPOSITE_MISMATCH = "composite_mismatch"
    COMPOSITE_PARTIAL = "composite_partial"
    EQUIPMENT_IMPLAUSIBLE = "equipment_implausible"
    # the 教育事业统计 基层表 and its exports
    FORM_GENERATION_UNKNOWN = "form_generation_unknown"
    FORM_MAPPING_INVALID = "form_mapping_invalid"
    FORM_GENERATION_YEAR = "form_generation_year"
    FORM_SECTION_MISSING = "form_section_missing"
    FORM_CELL_STARRED = "form_cell_starred"
    NOT_COMPULSORY_SCHOOL = "not_compulsory_school"
    FORM_MISSING = "form_missing"
    FORM_NOT_A_FORM = "form_not_a_form"
    FORM_ROW_MISSING = "form_row_missing"
    FORM_COLUMN_MISSING = "form_column_missing"
    EXPORT_NO_STAGE = "export_no_stage"
    EXPORT_NO_COUNTY = "export_no_county"
    EXPORT_WHOLE_DIFFERS = "export_whole_differs"
    ONE_STAGE_ONLY = "one_stage_only"
    DUPLICATE_CODE = "duplicate_code"
    LEVELS_OVER_TOTAL = "levels_over_total"
    BACKBONE_OVER_TEACHERS = "backbone_over_teachers"
    EQUIPMENT_ZERO = "equipment_zero"
    SCHOOL_COUNTY_DIFFERS = "school_county_differs"
    SCHOOL_FILE_FAILED = "school_file_failed"
    # the 县级指标 sheet
    COUNTY_VALUE_MISSING = "county_value_missing"
    COUNTY_VALUE_INVALID = "county_value_invalid"
    COUNTY_VALUE_DUPLICATE = "county_value_duplicate"
    # the result workbook and the ledger
    COUNTY_FROM_FILE_NAME = "county_from_file_name"
    COUNTY_KNOWN_BY_SCHOOLS = "county_known_by_schools"
    COUNTY_CLASH = "county_clash"
    COUNTY_CLASH_NOT_PREFERRED = "county_clash_not_preferred"
    OUTPUT_LOCKED = "output_locked"
    PREVIOUS_UNREADABLE = "previous_unreadable"
    LEDGER_DUPLICATE_ID = "ledger_duplicate_id"
    LEDGER_STATUS_NOT_TAKEN = "ledger_status_not_taken"
    LEDGER_CLOSED_TYPED = "ledger_closed_typed"
    EDIT_CONFLICT = "edit_conflict"
    LEDGER_REBUILT = "ledger_rebuilt"
    STAFF_COLUMN_UNPLACED = "staff_column_unplaced"
    LEDGER_SHEET_MISSING = "ledger_sheet_missing"
    LEDGER_SHEET_RENAMED = "ledger_sheet_renamed"
    LEDGER_ID_COLUMN_MISSING = "ledger_id_column_missing"
    LEDGER_EDIT_UNMATCHED = "ledger_edit_unmatched"
    LEDGER_DUPLICATE_ROW = "ledger_duplicate_row"
    LEDGER_STATUS_UNKNOWN = "ledger_status_unknown"
    SCORE_INVALID = "score_invalid"
    DB_REPLACED = "db_replaced"
    OUTPUT_OUTSIDE = "output_outside"
    # faults of the machine or the database: the run stops (faults.py gives each an exit code)
    DISK_FULL = "disk_full"
    NOT_WRITABLE = "not_writable"
    DB_LOCKED = "db_locked"
    DB_LOST = "db_lost"
    RUN_STOPPED = "run_stopped"
    STALE_SET_ASIDE = "stale_set_aside"
    SHARED_EDIT_CONFLICT = "shared_edit_conflict"


@dataclass(frozen=True)
class Spec:
    level: Level
    template: str


E, W = Level.ERROR, Level.WARNING

# Templates are str.format templates over the problem's params plus ``file``, ``sheet``,
# ``row``, ``column`` and ``cell`` (column letter + row).
SPECS: dict[Code, Spec] = {
    Code.UNREADABLE: Spec(E, "无法读取文件“{file}”：{reason}"),
    Code.LIMIT: Spec(E, "{reason}"),
    Code.NO_SCHOOL_DATA: Spec(E, "工作簿中没有找到可识别的学校数据：需要一张表头含“学校名称”和“在校生数”的表格，"
                                 "或每校一张的学校信息表"),
    Code.INTERNAL: Spec(E, "{during}时发生程序内部错误，{consequence}（技术细节已写入运行日志）"),
    Code.WORKER_DIED: Spec(E, "处理该文件的进程意外退出（可能内存不足或文件损坏），该文件未能评估；其他文件已重新处理，不受影响"),
    Code.OUT_OF_MEMORY: Spec(E, "处理该文件时内存不足（每个处理进程上限 {limit_mb} MB，设置项 [limits] max_worker_memory_mb），"
                                "该文件未能评估；文件可能过大或含大量空行空列"),
    Code.HIDDEN_SHEET: Spec(W, "工作表“{sheet}”是隐藏的，已跳过（如需读取请取消隐藏）"),
    Code.CORRUPT_SHEET: Spec(E, "工作表“{sheet}”已损坏，无法读取，请在 Excel/WPS 中打开并另存后再运行"),
    Code.EMPTY_SHEET: Spec(W, "工作表“{sheet}”是空的，已跳过"),
    Code.CUT: Spec(W, "工作表“{sheet}”第 {cut_at} 行起连续多行为空，其后第 {row} 行还有内容，未读取；"
                      "如是数据请删除中间的空行"),
    Code.NO_TABLE: Spec(W, "工作表“{sheet}”中没有找到可识别的学校表格（表头需含“学校名称”和“在校生数”），已跳过"),
    Code.MISSING_COLUMN: Spec(E, "工作表“{sheet}”第 {row} 行的表头中没有找到“{missing}”列（可用的列名如：{examples}），"
                                 "该表未读取"),
    Code.FIELD_NOT_FOUND: Spec(W, "工作簿中没有找到“{field}”（{indicator}所需），该指标按未提供数据处理。表头中未能识别的列："
                                  "{unmatched}。如其中有该项，请把表头改为{examples}等写法"),
    Code.UNKNOWN_UNIT: Spec(E, "“{header}”中的单位“{unit}”无法识别（{field}可用单位：{known}），该列未使用"),
    Code.DUPLICATE_COLUMN: Spec(W, "表头“{header}”与 {first_column} 列“{first_header}”都对应{field}，"
                                   "只使用 {first_column} 列"),
    Code.DEFAULT_UNIT: Spec(W, "表头“{header}”没有注明单位，按标准设置视为“{unit}”；如填的是其他单位请在表头注明，如“（万元）”"),
    Code.TITLE_UNIT: Spec(W, "表头“{header}”没有注明单位，按表格上方的“单位”说明视为“{unit}”"),
    Code.NOT_A_NUMBER: Spec(E, "单元格 {cell}（{header}）{reason}，该值未使用"),
    Code.NO_CACHED_VALUE: Spec(E, "单元格 {cell}（{header}）是公式，但文件中没有保存计算结果（请在 Excel/WPS 中打开并保存后再运行），"
                                  "按未填写处理"),
    Code.NEGATIVE: Spec(E, "单元格 {cell}（{header}）为负数 {value}，应为不小于 0 的数，该值未使用"),
    Code.BLANK_VALUE: Spec(W, "“{school}”（{stage}）的“{header}”是空白（单元格 {cell}），{indicators}没有数据：该学段按未达标计，"
                              "这几项的差异系数未计入该校。请补填（确实为 0 请填 0）"),
    Code.NAME_EMPTY: Spec(E, "第 {row} 行有数据但学校名称为空，该行未使用"),
    Code.FORM_NAME_EMPTY: Spec(E, "学校信息表中学校名称为空，该表未使用"),
    Code.MERGE_ACROSS_COLUMNS: Spec(W, "合并单元格 {range} 跨越了多个数据列，只按 {column} 列读取，{other} 列按未填写处理"),
    Code.MERGE_ACROSS_SCHOOLS: Spec(E, "合并单元格 {range} 跨越了多所学校的行，无法判断属于哪所学校，该值未使用"),
    Code.UNKNOWN_STAGE: Spec(E, "学段“{stage_text}”无法识别（应为 小学 / 初中 / 高中），该行未使用"),
    Code.NO_STAGE: Spec(E, "无法确定“{school}”的学段：没有学段列，工作表名和办学类型也未说明是小学还是初中"
                           "（九年一贯制等学校请按学段分行填写），该行未使用"),
    Code.DUPLICATE_SCHOOL: Spec(E, "学校“{school}”（{stage}）重复出现：首次在工作表“{first_sheet}”第 {first_row} 行，"
                                   "此处第 {row} 行的数据未使用（保留首次出现的数据）"),
    Code.STUDENTS_MISSING: Spec(E, "“{school}”（{stage}）在校生数为空，该学段未参与计算"),
    Code.STUDENTS_NOT_POSITIVE: Spec(E, "“{school}”（{stage}）在校生数为 {value:g}，应大于 0，该学段未参与计算"),
    Code.STUDENTS_FRACTION: Spec(W, "“{school}”（{stage}）在校生数 {value:g} 不是整数，请核对"),
    Code.SAME_VALUE_EACH_STAGE: Spec(W, "“{school}”各学段的{field}都填了 {value:g}，可能是把全校数重复填在了每个学段；"
                                        "已按各学段分别填写使用，请核对"),
    Code.WHOLE_NOT_SPLITTABLE: Spec(E, "“{school}”的{field}按全校只填了一个数（{where}），该项须按学段分别填写，无法拆分，未使用"),
    Code.SPLIT_NO_STUDENTS: Spec(E, "“{school}”的{field}为全校数（{where}），但有学段的在校生数缺失或无效，"
                                    "无法按加权学生数拆分，未使用"),
    Code.SPLIT_NO_WEIGHTS: Spec(E, "“{school}”的{field}为全校数，但学段组合（{stages}）在标准文件 [split] 中没有拆分权重，未使用"),
    Code.COMPOSITE_MISMATCH: Spec(W, "“{school}”的{field} {value:g} 与 {parts} 之和 {total:g} 不一致；按{field}列使用"),
    Code.COMPOSITE_PARTIAL: Spec(W, "工作表“{sheet}”只有{field}的部分分项（{present}），无法求和（需要 {need}），该项无数据"),
    Code.EQUIPMENT_IMPLAUSIBLE: Spec(E, "“{school}”（{stage}）生均教学仪器设备值为 {per:.4g} 元，超出合理范围 {low:g}–{high:g} 元"
                                        "{hint}；数值与单位矛盾，该值未使用"),
    Code.FORM_GENERATION_UNKNOWN: Spec(E, "工作表名（{sheets}）像是教育事业统计基层表，但不是已知的表式（可识别：{known}），"
                                          "该文件未读取；如是新的表式，请在 rules/forms 中增加一个表式文件"),
    Code.FORM_MAPPING_INVALID: Spec(E, "本县的基层表表式补充文件有误，该文件未读取：{reason}"),
    Code.FORM_MISSING: Spec(E, "“{school}”的工作簿中没有 {form}（{title}）表，{figures}无数据：{consequence}（不按 0 计）"),
    Code.FORM_NOT_A_FORM: Spec(E, "工作表“{sheet}”是空的，无法按行、列标签读取，该表未使用"),
    Code.FORM_ROW_MISSING: Spec(E, "工作表“{sheet}”中找不到“{label}”行，{figure}无数据（不按 0 计）；相近的行：{near}；"
                                   "表中的行有：{found}。如表中另有写法，可在本县基层表文件夹放一个 {hint} 补充行标签"
                                   "（格式见 README“基层表表式补充”），或用 equity-xlsx forms check 查看各数取自何处"),
    Code.FORM_COLUMN_MISSING: Spec(E, "工作表“{sheet}”的表头中找不到“{path}”列，{figure}无数据（不按 0 计）；相近的列：{near}；"
                                      "表头有：{found}。如表中另有写法，可在本县基层表文件夹放一个 {hint} 补充表头"
                                      "（格式见 README“基层表表式补充”）"),
    Code.FORM_SECTION_MISSING: Spec(E, "工作表“{sheet}”分学段填报（有：{found}），但没有“{section}”部分，{figure}等无数据"
                                       "（不按 0 计）；如该部分另有名称，可在 {hint} 中写明（见 README“基层表表式补充”）"),
    Code.FORM_CELL_STARRED: Spec(E, "单元格 {cell}（{header}）标有“*”，表示按表式此处不应填数，{figure}无数据（不按 0 计）；"
                                    "请核对表式，或在 {hint} 中写明正确的行、列（见 README“基层表表式补充”）"),
    Code.NOT_COMPULSORY_SCHOOL: Spec(W, "“{school}”的办学类型为“{school_type}”，没有小学、初中学生表，不是义务教育学校，未参与计算"),
    Code.FORM_GENERATION_YEAR: Spec(W, "工作簿是{generation}（用于 {years}），但表上写的是 {year} 学年初：请核对是否用错了表式"
                                       "（数据照常按{generation}读取）"),
    Code.EXPORT_NO_STAGE: Spec(E, "无法确定导出表“{sheet}”是小学还是初中：文件名、工作表名和表格标题都没有写明学段，"
                                  "{count} 所学校（{schools}）的办学类型也不能说明（如九年一贯制学校），这些行未使用；"
                                  "请在文件名或工作表名中写明“小学”或“初中”"),
    Code.EXPORT_NO_COUNTY: Spec(E, "第 {row} 行（{school}）的“统计三级”和“行政区划代码”都为空，无法确定属于哪个县，该行未使用"),
    Code.EXPORT_WHOLE_DIFFERS: Spec(W, "“{school}”在小学、初中两个导出表中的{field}不同：{first_file} 为 {first:g}，"
                                       "{other_file} 为 {other:g}；按 {first_file} 的数拆分使用，请核对"),
    Code.ONE_STAGE_ONLY: Spec(W, "“{school}”是{school_type}，但只有{found}的数据（{missing}缺失：{where}）；全校的校舍、场地、"
                                 "设备无法按学段拆分，这几项未使用"),
    Code.DUPLICATE_CODE: Spec(W, "学校标识码 {code} 重复：“{school}”与“{first_school}”（{first_file}）相同；只使用首次出现的数据"),
    Code.LEVELS_OVER_TOTAL: Spec(W, "“{school}”（{stage}）专任教师各学历之和 {levels:g} 人大于专任教师合计 {total:g} 人，请核对"
                                    "（数据照常使用）"),
    Code.BACKBONE_OVER_TEACHERS: Spec(W, "“{school}”（{stage}）县级及以上骨干教师 {backbone:g} 人多于专任教师 {teachers:g} 人，"
                                         "请核对（数据照常使用）"),
    Code.EQUIPMENT_ZERO: Spec(W, "“{school}”教学、实验仪器设备资产值为 0，但有{what}：请核对是否漏填（按 0 计算）"),
    Code.SCHOOL_COUNTY_DIFFERS: Spec(W, "学校工作簿中的所在县为{school_county}，与所在文件夹“{folder}”的{folder_county}不同；"
                                        "已按文件夹归入{folder_county}，如放错了请移走"),
    Code.SCHOOL_FILE_FAILED: Spec(E, "{school}的工作簿未能读取（{reason}），该校未参与本{level}计算"),
    Code.COUNTY_VALUE_MISSING: Spec(W, "县级指标“{label}”没有填写数值"),
    Code.COUNTY_VALUE_INVALID: Spec(E, "县级指标“{label}”的值{reason}（单元格 {cell}），未使用"),
    Code.COUNTY_VALUE_DUPLICATE: Spec(W, "县级指标“{label}”重复填写，使用首次出现的值（{first}）：{value} 未使用"),
    Code.COUNTY_FROM_FILE_NAME: Spec(W, "表格标题和数据中都没有写明县（市、区）名称或行政区划代码，按文件名识别为“{name}”；"
                                        "请在第一行标题写明县名（如“大祥区2025年……统计表”），否则改了文件名只能按学校认出是同一个县"),
    Code.COUNTY_KNOWN_BY_SCHOOLS: Spec(W, "表格标题和数据中没有县名，按文件名应为“{file_county}”，台账库中没有这个县；但本表 {total} 所学校中"
                                          "有 {same} 所的{by}与台账库中已有的“{county}”相同，判断是改了文件名的同一个县："
                                          "已按“{county}”评估，沿用其整改台账和结果文件。如确是另一个县，请在表格标题中写明县名或行政区划代码"),
    Code.COUNTY_CLASH: Spec(E, "本文件与 {others} 都是{county}的数据，同一个县只能有一份；为免两份数据轮流写入同一本台账，"
                               "本次都未评估。请删除或移走多余的一份（如“（修订）”“- 副本”），或用 --prefer 文件名 指定使用哪一份"),
    Code.COUNTY_CLASH_NOT_PREFERRED: Spec(E, "本文件与 {others} 都是{county}的数据；按 --prefer 使用 {kept}，本文件未评估"),
    Code.OUTPUT_LOCKED: Spec(W, "{target} 正在被 Excel/WPS 打开，本次结果另存为 {busy}，请关闭后再运行。"),
    Code.PREVIOUS_UNREADABLE: Spec(W, "无法读取上次的评估结果 {name}：{reason}。已保留台账数据库中的人工填写内容。"),
    Code.LEDGER_DUPLICATE_ID: Spec(W, "台账编号 {line_id} 在本次结果中重复，只保留第一条"),
    Code.LEDGER_STATUS_NOT_TAKEN: Spec(W, "台账 {line_id}（{school} {indicator}）数据已达标，手工状态“{status}”未采用"),
    Code.LEDGER_CLOSED_TYPED: Spec(W, f"台账 {{line_id}}（{{school}} {{indicator}}）被手工标记为{LedgerStatus.CLOSED}，"
                                      "但本次数据仍未达标，状态保持“{status}”"),
    Code.LEDGER_REBUILT: Spec(W, "台账数据库中没有本县的记录（数据库是新建的，或丢失后已重建），已从上次的结果文件 {source} "
                                 f"恢复 {{lines}} 条台账（其中{LedgerStatus.CLOSED} {{closed}} 条）及其填写内容和首次发现日期"),
    Code.STAFF_COLUMN_UNPLACED: Spec(W, "{file_name} 的“{sheet}”第 {column} 列{what}，其中 {cells} 行填写的内容无法按列保存；"
                                        "请给这一列加上一个不重复的表头，下次运行即会保留"),
    Code.LEDGER_SHEET_MISSING: Spec(E, f"{{file_name}} 中没有“{CountySheet.LEDGER}”工作表（被删除或改了名），自上次运行以来在其中填写的内容"
                                       "无法读回。台账没有丢：{lines} 条台账和此前读回的填写内容都在台账数据库中，已写入本次结果；"
                                       "原文件已备份为 {backup}，如有新填写的内容请从中找回后重新填写"),
    Code.LEDGER_SHEET_RENAMED: Spec(W, f"{{file_name}} 的“{CountySheet.LEDGER}”工作表被改名为“{{sheet}}”，已从“{{sheet}}”读回填写的内容；"
                                       f"本次结果中仍名为“{CountySheet.LEDGER}”"),
    Code.LEDGER_ID_COLUMN_MISSING: Spec(E, "{file_name} 的“{sheet}”中没有“台账编号”列（被删除或改了表头），其中 {rows} 行填写的内容"
                                           "无法对应到台账条目，未读回（逐行列在下方）；台账已按台账数据库保留，原文件已备份为 {backup}"),
    Code.LEDGER_EDIT_UNMATCHED: Spec(E, "{file_name} 的“{sheet}”第 {row} 行{why}，这一行填写的内容未读回：{values}。"
                                        "请填到对应台账编号的行（原文件已备份为 {backup}）"),
    Code.LEDGER_DUPLICATE_ROW: Spec(W, "{file_name} 的“{sheet}”第 {row} 行与第 {first_row} 行的台账编号都是 {line_id}，"
                                       "这一行填写的内容已并入该条目；请删除重复的行"),
    Code.LEDGER_STATUS_UNKNOWN: Spec(E, "台账 {line_id} 的状态“{status}”不是可选的状态（{choices}），未采用，状态保持不变"),
    Code.SCORE_INVALID: Spec(E, "任务清单第 {item} 项的得分“{value}”{reason}，未采用{kept}"),
    Code.DB_REPLACED: Spec(W, "台账数据库 {path} 已损坏（{why}），已移到 {aside} 备查；本次新建数据库，并从各县上次的结果文件"
                              "恢复台账"),
    Code.OUTPUT_OUTSIDE: Spec(E, "结果文件 {name} 将落在输出文件夹 {folder} 之外（名称含路径，或输出文件夹中有指向别处的链接），"
                                 "为安全起见本县本次未写入；请删除该链接后再运行"),
    Code.DISK_FULL: Spec(E, "磁盘空间不足，无法写入{what}；本次运行已停止：已写完的结果文件都是完整的，未处理的县保留上次的结果。请腾出磁盘空间后再运行"),
    Code.NOT_WRITABLE: Spec(E, "无法写入{what}（只读或没有写入权限）；本次运行已停止：已写完的结果文件都是完整的，未处理的县保留上次的结果。请检查文件夹或文件的权限后再运行"),
    Code.DB_LOCKED: Spec(E, "台账数据库 {where} 正被另一个程序锁定（已等待 {seconds} 秒），这不是密码问题；本次运行已停止：已写完的结果文件都是完整的，未处理的县保留上次的结果。"
                            "请关闭正在使用该数据库的程序（数据库查看工具、另一次运行等）后再运行"),
    Code.DB_LOST: Spec(E, "与台账数据库 {where} 的连接中断（数据库服务器停止或网络断开）；本次运行已停止：已写完的结果文件都是完整的，未处理的县保留上次的结果。"
                          "请确认数据库服务正常后再运行"),
    Code.RUN_STOPPED: Spec(E, "本次未评估：运行因{reason}而停止，结果文件仍是上次的"),
    Code.STALE_SET_ASIDE: Spec(W, "{name} 本次未能更新（{reason}）：{what}"),
    Code.SHARED_EDIT_CONFLICT: Spec(W, "{where}的“{field}”在共用一个台账库的两个输出文件夹里被改成了不同内容：{kept_folder}"
                                       "（{kept_at} 保存）为“{kept}”，{other_folder}（{other_at} 保存）为“{other}”；"
                                       "已采用较晚保存的“{kept}”，两个文件夹的结果都按此写出，请核对"),
    Code.EDIT_CONFLICT: Spec(W, "{where}的“{field}”在两个结果文件中被改成了不同内容：{kept_file}（{kept_at} 保存）为“{kept}”，"
                                "{other_file}（{other_at} 保存）为“{other}”；已采用较晚保存的“{kept}”，请核对"),
}
assert set(SPECS) == set(Code), "every problem code needs a template"

# A few words per code, for counts ("不是数字 ×3") in 运行报告 and on the console.
TITLES: dict[Code, str] = {
    Code.UNREADABLE: "无法读取文件", Code.LIMIT: "超出读取上限", Code.NO_SCHOOL_DATA: "没有学校数据",
    Code.INTERNAL: "程序内部错误", Code.WORKER_DIED: "处理进程退出", Code.OUT_OF_MEMORY: "内存不足", Code.HIDDEN_SHEET: "隐藏工作表",
    Code.CORRUPT_SHEET: "工作表损坏", Code.EMPTY_SHEET: "空工作表", Code.CUT: "空行后还有内容",
    Code.NO_TABLE: "无可识别表格", Code.MISSING_COLUMN: "缺少必需列", Code.FIELD_NOT_FOUND: "找不到指标数据列",
    Code.UNKNOWN_UNIT: "单位无法识别", Code.DUPLICATE_COLUMN: "重复的列", Code.DEFAULT_UNIT: "未注明单位",
    Code.TITLE_UNIT: "单位取自表格上方", Code.NOT_A_NUMBER: "不是数字", Code.NO_CACHED_VALUE: "公式没有结果",
    Code.NEGATIVE: "负数", Code.BLANK_VALUE: "空白未填", Code.NAME_EMPTY: "学校名称为空", Code.FORM_NAME_EMPTY: "学校名称为空",
    Code.MERGE_ACROSS_COLUMNS: "合并单元格跨列", Code.MERGE_ACROSS_SCHOOLS: "合并单元格跨校",
    Code.UNKNOWN_STAGE: "学段无法识别", Code.NO_STAGE: "学段不明", Code.DUPLICATE_SCHOOL: "学校重复",
    Code.STUDENTS_MISSING: "在校生数为空", Code.STUDENTS_NOT_POSITIVE: "在校生数不大于 0",
    Code.STUDENTS_FRACTION: "在校生数不是整数", Code.SAME_VALUE_EACH_STAGE: "各学段数值相同",
    Code.WHOLE_NOT_SPLITTABLE: "全校数无法拆分", Code.SPLIT_NO_STUDENTS: "缺学生数无法拆分",
    Code.SPLIT_NO_WEIGHTS: "缺拆分权重", Code.COMPOSITE_MISMATCH: "合计与分项不符", Code.COMPOSITE_PARTIAL: "分项不全",
    Code.EQUIPMENT_IMPLAUSIBLE: "设备值与单位矛盾", Code.FORM_GENERATION_UNKNOWN: "未知的基层表表式",
    Code.FORM_MAPPING_INVALID: "表式补充文件有误", Code.FORM_GENERATION_YEAR: "表式与学年不符",
    Code.FORM_SECTION_MISSING: "找不到表中的学段部分", Code.FORM_CELL_STARRED: "取数单元格标有*",
    Code.NOT_COMPULSORY_SCHOOL: "非义务教育学校",
    Code.FORM_MISSING: "缺少基层表表页", Code.FORM_NOT_A_FORM: "表页是空的", Code.FORM_ROW_MISSING: "找不到表中的行",
    Code.FORM_COLUMN_MISSING: "找不到表中的列", Code.EXPORT_NO_STAGE: "导出表学段不明", Code.EXPORT_NO_COUNTY: "无法归县",
    Code.EXPORT_WHOLE_DIFFERS: "两学段全校数不同", Code.ONE_STAGE_ONLY: "多学段学校缺学段数据",
    Code.DUPLICATE_CODE: "学校标识码重复", Code.LEVELS_OVER_TOTAL: "学历之和大于合计",
    Code.BACKBONE_OVER_TEACHERS: "骨干多于专任教师", Code.EQUIPMENT_ZERO: "设备值为 0",
    Code.SCHOOL_COUNTY_DIFFERS: "学校所在县与文件夹不同", Code.SCHOOL_FILE_FAILED: "学校工作簿未能读取",
    Code.COUNTY_VALUE_MISSING: "县级指标未填",
    Code.COUNTY_VALUE_INVALID: "县级指标无效", Code.COUNTY_VALUE_DUPLICATE: "县级指标重复",
    Code.COUNTY_FROM_FILE_NAME: "县名取自文件名", Code.COUNTY_KNOWN_BY_SCHOOLS: "按学校认出县",
    Code.COUNTY_CLASH: "同一县有多份数据",
    Code.COUNTY_CLASH_NOT_PREFERRED: "同一县有多份数据（未选用）", Code.OUTPUT_LOCKED: "结果文件被占用",
    Code.PREVIOUS_UNREADABLE: "上次结果无法读取", Code.LEDGER_DUPLICATE_ID: "台账编号重复",
    Code.LEDGER_STATUS_NOT_TAKEN: "手工状态未采用", Code.LEDGER_CLOSED_TYPED: "手工销号未采用",
    Code.EDIT_CONFLICT: "两个文件改法不同", Code.LEDGER_REBUILT: "台账从结果文件恢复",
    Code.DB_REPLACED: "台账数据库损坏已更换", Code.STAFF_COLUMN_UNPLACED: "自加的列无法保存",
    Code.OUTPUT_OUTSIDE: "结果文件将落在输出文件夹外", Code.DISK_FULL: "磁盘已满", Code.NOT_WRITABLE: "无法写入",
    Code.DB_LOCKED: "台账数据库被锁定", Code.SHARED_EDIT_CONFLICT: "两个文件夹改法不同", Code.DB_LOST: "数据库连接中断", Code.RUN_STOPPED: "运行中途停止",
    Code.STALE_SET_ASIDE: "旧结果未更新已改名",
    Code.LEDGER_SHEET_MISSING: "整改台账工作表缺失", Code.LEDGER_SHEET_RENAMED: "整改台账工作表改名",
    Code.LEDGER_ID_COLUMN_MISSING: "台账编号列缺失", Code.LEDGER_EDIT_UNMATCHED: "填写内容无法对应",
    Code.LEDGER_DUPLICATE_ROW: "台账编号重复的行", Code.LEDGER_STATUS_UNKNOWN: "状态无法识别",
    Code.SCORE_INVALID: "得分无效",
}
assert set(TITLES) == set(Code), "every problem code needs a title"


@dataclass(frozen=True)
class Problem:
    """One problem where it was found: ``row`` is the Excel row (1-based), ``column`` its letter."""

    code: Code
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    level: Level | None = None  # None: the code's own level

    def __post_init__(self) -> None:
        if self.level is None:
            object.__setattr__(self, "level", SPECS[self.code].level)

    @property
    def message(self) -> str:
        """The Chinese text shown to county staff, rendered from the code's template."""
        values = {"file": self.file, "sheet": self.sheet or "", "row": self.row or "",
                  "column": self.column or "", "cell": f"{self.column or ''}{self.row or ''}", **self.params}
        return SPECS[self.code].template.format_map(values)

    def at_file(self, file: str) -> Problem:
        """The same problem attributed to ``file`` (for problems found before the file was known)."""
        return Problem(self.code, file, self.sheet, self.row, self.column, self.params, self.level)

    def as_dict(self) -> dict:
        """summary.json / 运行报告 form: location, code, level and the rendered message."""
        return {"code": str(self.code), "level": str(self.level), "file": self.file, "sheet": self.sheet,
                "row": self.row, "column": self.column, "message": self.message, "params": dict(self.params)}


class ProblemLog:
    """The problems of one workbook, in the order found; the file name is filled in for each."""

    def __init__(self, file: str = "") -> None:
        self.file = file
        self.items: list[Problem] = []
        self._seen: set[tuple] = set()

    def add(self, code: Code, sheet: str | None = None, row: int | None = None, column: str | None = None,
            **params: Any) -> None:
        key = (code, sheet, row, column, tuple(sorted((k, repr(v)) for k, v in params.items())))
        if key in self._seen:  # a merged cell read from several rows reports once
            return
        self._seen.add(key)
        self.items.append(Problem(code, self.file, sheet, row, column, params))

    def add_at(self, code: Code, where: Any, /, **params: Any) -> None:
        """A problem at a ``Source`` (its file, sheet, row, column): records assembled from
        several files report each problem against the file it is in."""
        file = getattr(where, "file", None) or self.file
        key = (code, file, where.sheet, where.row, where.column, tuple(sorted((k, repr(v)) for k, v in params.items())))
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Problem(code, file, where.sheet, where.row, where.column, params))


def internal_detail(exc: BaseException) -> str:
    """``Type: message @ file.py:line`` of the innermost frame, for an INTERNAL problem."""
    import traceback
    from pathlib import Path

    from .faults import redact  # a driver's message may quote a connection URL

    tb = traceback.extract_tb(exc.__traceback__)
    where = f" @ {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return redact(f"{type(exc).__name__}: {exc}{where}")


def describe_counts(counts: Mapping[str, int]) -> str:
    """{"not_a_number": 3, "default_unit": 1} -> "不是数字 ×3、未注明单位 ×1"."""
    return "、".join(f"{TITLES[Code(code)]} ×{n}" for code, n in counts.items())


def count_codes(problems: Iterable[Problem | Mapping]) -> dict[str, int]:
    """summary.json ``problems``: how many of each code, most frequent first."""
    counts = Counter(str(p["code"] if isinstance(p, Mapping) else p.code) for p in problems)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
