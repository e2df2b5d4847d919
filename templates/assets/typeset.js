// Typeset the formulas examgen marked in a page: span and div elements of the class math
// (inline and block) hold TeX. A formula KaTeX cannot read is shown in red with the
// error rather than stopping the page; tests look for such errors. A page that carries KaTeX
// inside itself (<html data-math="mathml">) asks for MathML alone, which browsers typeset
// with their own fonts: it then needs neither KaTeX's fonts nor its stylesheet.
"use strict";
for (const element of document.querySelectorAll(".math")) {
  katex.render(element.textContent, element, {
    displayMode: element.classList.contains("block"),
    throwOnError: false,
    output: document.documentElement.dataset.math === "mathml" ? "mathml" : "htmlAndMathml",
  });
}
document.documentElement.dataset.typeset = "done";
