// A practice page that checks itself: each answer box is read and compared with the key by
// the rules examgen's grader uses (answers.js, loaded before this script), in the browser,
// with no server. The page carries its keys in <script id="examgen-keys"
// type="application/json">: practice pages only; exam sheets never do.
"use strict";

// ---- the page -----------------------------------------------------------------------------

function bind() {
  // A question's worked solution gives away every part's answer, so it opens only once each
  // part has been tried, or when the student asks; a part shows its own answer after two
  // wrong tries.
  const keys = JSON.parse(document.getElementById("examgen-keys").textContent);
  const tried = {};
  const reveal = (question) => {
    const solution = document.getElementById(`solution-${question}`);
    solution.hidden = false;
    solution.open = true;
    const button = document.querySelector(`.reveal[data-question="${question}"]`);
    if (button) button.hidden = true;
  };
  for (const button of document.querySelectorAll(".reveal")) {
    button.addEventListener("click", () => reveal(button.dataset.question));
  }
  for (const box of document.querySelectorAll("[data-part]")) {
    const question = box.dataset.question;
    const part = keys[question][box.dataset.part];
    const input = box.querySelector("input");
    const verdict = box.querySelector(".verdict");
    let wrong = 0;
    const run = () => {
      const result = check(part, input.value);
      let text = result.status === "correct" ? "✓ correct" : `✗ ${result.message}`;
      if (result.status !== "correct" && result.status !== "blank" && ++wrong >= 2) {
        text += `; the answer: ${part.shown}`;
      }
      verdict.textContent = text;
      verdict.className = `verdict ${result.status}`;
      if (result.status !== "blank") {
        tried[question] = (tried[question] ?? new Set()).add(box.dataset.part);
        if (tried[question].size === Object.keys(keys[question]).length) reveal(question);
      }
    };
    box.querySelector("button").addEventListener("click", run);
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") run(); });
  }
  document.documentElement.dataset.selfcheck = "ready";
}

if (typeof document !== "undefined") bind();
