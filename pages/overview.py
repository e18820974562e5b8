"""我的支部: the branch's stars, standing, gap to five-star, 加分项, history and 提交."""

from ui.overview import render_overview

render_overview()
