// A measured prototype, not wired into netsim: netsim's own interpreter over just-bash's exported `parse`
// AST, for the subset the walkthrough and the scale bench use (simple commands, `.`, for over words,
// $VAR, $((...)) with + - * / %, $(seq A B), `echo V > /proc/sys/...`, `cat /proc/sys/...`, `ip netns exec`,
// `sleep`, a listener job of `&`). Anything else throws Unsupported. Commands are netsim's own, called
// through invokeCommand as the runner calls them; records carry locations so the expectations can be checked.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export async function loadPrototype(root) {
  const { parse } = await import(join(root, "node_modules/just-bash/dist/bundle/index.js"));
  const { invokeCommand } = await import(join(root, "dist/scenario/invoke.js"));
  const { NETWORK_COMMANDS } = await import(join(root, "dist/commands/registry.js"));
  const { createWorld } = await import(join(root, "dist/net/index.js"));
  const { normaliseSysctlKey, sysctl } = await import(join(root, "dist/commands/sysctl.js"));
  const { JobTable } = await import(join(root, "dist/scenario/jobs.js"));
  const { parseExpectations } = await import(join(root, "dist/scenario/expectations.js"));
  const { matchExpectations } = await import(join(root, "dist/scenario/expectation-matching.js"));
  const { displayPath } = await import(join(root, "dist/scenario/runner.js"));

  class Unsupported extends Error {}

  function literal(word) {
    if (word?.parts?.length === 1 && word.parts[0].type === "Literal") return word.parts[0].value;
    return undefined;
  }

  class Interpreter {
    constructor() {
      this.world = createWorld();
      this.jobs = new JobTable(this.world);
      this.variables = new Map();
      this.records = [];
      this.output = "";
      this.files = new Map();
      this.parsed = new Map();
    }

    arith(node) {
      switch (node.type) {
        case "ArithmeticExpression":
          return this.arith(node.expression);
        case "ArithNumber":
          return node.value;
        case "ArithVariable":
          return Number(this.variables.get(node.name) ?? 0);
        case "ArithBinary": {
          const left = this.arith(node.left);
          const right = this.arith(node.right);
          switch (node.operator) {
            case "+": return left + right;
            case "-": return left - right;
            case "*": return left * right;
            case "/": return Math.trunc(left / right);
            case "%": return left % right;
          }
        }
      }
      throw new Unsupported(`arithmetic ${node.type} ${node.operator ?? ""}`);
    }

    /** A word's expansion: its fields (unquoted expansions split on whitespace). */
    expand(word) {
      const fields = [];
      let current = "";
      let started = false;
      const splitIn = (text) => {
        const pieces = text.split(/[ \t\n]+/);
        pieces.forEach((piece, index) => {
          if (index > 0 && (started || current !== "")) {
            fields.push(current);
            current = "";
            started = false;
          }
          current += piece;
          if (piece !== "") started = true;
        });
      };
      const part = (node, quoted) => {
        switch (node.type) {
          case "Literal":
            current += node.value;
            started = true;
            return;
          case "SingleQuoted":
            current += node.value;
            started = true;
            return;
          case "DoubleQuoted":
            started = true;
            for (const inner of node.parts) part(inner, true);
            return;
          case "ParameterExpansion": {
            if (node.operation !== null) throw new Unsupported(`\${${node.parameter}...}`);
            const value = this.variables.get(node.parameter) ?? "";
            if (quoted) current += value;
            else splitIn(value);
            return;
          }
          case "ArithmeticExpansion":
            current += String(this.arith(node.expression));
            started = true;
            return;
          case "CommandSubstitution": {
            const text = this.substitute(node.body).replace(/\n+$/, "");
            if (quoted) current += text;
            else splitIn(text);
            return;
          }
        }
        throw new Unsupported(`word part ${node.type}`);
      };
      if (!Array.isArray(word?.parts)) throw new Unsupported(`word ${word?.type}`);
      for (const node of word.parts) part(node, false);
      if (started || current !== "") fields.push(current);
      return fields;
    }

    /** $(seq A B) only. */
    substitute(body) {
      const command = body.statements.length === 1 && body.statements[0].pipelines.length === 1 && body.statements[0].pipelines[0].commands.length === 1 ? body.statements[0].pipelines[0].commands[0] : undefined;
      if (command?.type !== "SimpleCommand" || literal(command.name) !== "seq") throw new Unsupported("command substitution");
      const [first, last] = command.args.flatMap((arg) => this.expand(arg)).map(Number);
      let text = "";
      for (let value = first; value <= last; value++) text += `${value}\n`;
      return text;
    }

    script(ast, fileIndex, callers) {
      let status = 0;
      for (const statement of ast.statements) status = this.statement(statement, fileIndex, callers);
      return status;
    }

    statement(statement, fileIndex, callers) {
      let status = 0;
      statement.pipelines.forEach((pipeline, index) => {
        const operator = index === 0 ? ";" : statement.operators[index - 1];
        if ((operator === "&&" && status !== 0) || (operator === "||" && status === 0)) return;
        if (pipeline.commands.length !== 1) throw new Unsupported("pipeline");
        status = this.command(pipeline.commands[0], fileIndex, callers, statement.background);
        if (pipeline.negated) status = status === 0 ? 1 : 0;
      });
      return statement.background ? 0 : status;
    }

    command(node, fileIndex, callers, background) {
      if (node.type === "For") {
        if (!Array.isArray(node.words)) throw new Unsupported("for without in");
        const words = node.words.flatMap((word) => this.expand(word));
        let status = 0;
        for (const value of words) {
          this.variables.set(node.variable, value);
          for (const statement of node.body) status = this.statement(statement, fileIndex, callers);
        }
        return status;
      }
      if (node.type !== "SimpleCommand") throw new Unsupported(node.type);
      if (!node.name) {
        for (const assignment of node.assignments) this.variables.set(assignment.name, assignment.value ? this.expand(assignment.value).join(" ") : "");
        if (node.redirections.length > 0) throw new Unsupported("redirection alone");
        return 0;
      }
      if (node.assignments.length > 0) throw new Unsupported("prefix assignment");
      const argv = [...this.expand(node.name), ...node.args.flatMap((arg) => this.expand(arg))];
      const location = { file: this.files.get(fileIndex).display, line: node.line };
      const namespace = this.world.namespaces.get(0);
      let redirect;
      for (const redirection of node.redirections) {
        const target = this.expand(redirection.target).join(" ");
        if (redirection.operator === ">" && redirection.fd === null && target.startsWith("/proc/sys/")) redirect = target;
        else throw new Unsupported(`redirection ${redirection.operator}`);
      }
      return this.run(argv, namespace, { location, callers, fileIndex, redirect, background });
    }

    print(text) {
      this.output += text;
    }

    run(argv, namespace, where) {
      const [name, ...args] = argv;
      if (where.redirect) {
        if (name !== "echo") throw new Unsupported("redirect of a command other than echo");
        const key = normaliseSysctlKey(where.redirect);
        const outcome = invokeCommand("sysctl", sysctl, ["-q", "-w", `${key}=${args.join(" ")}`], { world: this.world, namespace, tracing: false, stdin: "", commandText: `${argv.join(" ")} > ${where.redirect}` });
        return outcome.exitCode;
      }
      if (name === "." || name === "source") {
        const path = resolve(this.cwd, args[0]);
        let index = [...this.files.entries()].find(([, file]) => file.path === path)?.[0];
        if (index === undefined) {
          index = this.files.size;
          this.files.set(index, { path, display: displayPath(path), text: readFileSync(path, "utf8") });
        }
        let ast = this.parsed.get(path);
        if (!ast) this.parsed.set(path, (ast = parse(this.files.get(index).text)));
        return this.script(ast, index, [where.location, ...where.callers]);
      }
      if (name === "true" || name === ":") return 0;
      if (name === "echo") {
        this.print(`${args.join(" ")}\n`);
        return 0;
      }
      if (name === "sleep") {
        this.jobs.advance(Math.round(Number(args[0]) * 1e6));
        return 0;
      }
      if (name === "cat" && args.every((arg) => arg.startsWith("/proc/sys/"))) {
        let stdout = "";
        for (const path of args) stdout += invokeCommand("sysctl", sysctl, ["-n", normaliseSysctlKey(path)], { world: this.world, namespace, tracing: false, stdin: "", commandText: `cat ${path}` }).stdout;
        this.print(stdout);
        return 0;
      }
      const command = NETWORK_COMMANDS.get(name);
      if (!command) throw new Unsupported(`command ${name}`);
      if (this.jobs.running().length > 0) this.jobs.poll();
      const outcome = invokeCommand(name, command, args, { world: this.world, namespace, origin: where.location, tracing: false, stdin: "", commandText: argv.join(" "), ...(where.background ? { background: true } : {}) });
      if (outcome.kind === "unsupported") throw new Unsupported(outcome.message);
      if (outcome.kind === "exec") return this.run(outcome.argv, outcome.namespace, where);
      if (outcome.kind === "process") {
        if (!where.background) throw new Unsupported("a foreground process");
        const process = outcome.process;
        process.runUntil(this.world.clock);
        this.jobs.start(argv.join(" "), { process });
        this.records.push({ location: where.location, callers: where.callers, namespace: namespace.name, argv, exitCode: 0, stdout: "", stderr: "", background: true });
        return 0;
      }
      this.records.push({ location: where.location, callers: where.callers, namespace: namespace.name, argv, exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr, ...(outcome.result ? { probe: outcome.result } : {}) });
      this.print(outcome.stdout + outcome.stderr);
      return outcome.exitCode;
    }

    runFile(file, text) {
      const path = resolve(file);
      this.cwd = dirname(path);
      this.files.set(0, { path, display: displayPath(path), text: text ?? readFileSync(path, "utf8") });
      const status = this.script(parse(this.files.get(0).text), 0, []);
      this.jobs.end();
      const expectations = [];
      for (const file of this.files.values()) expectations.push(...matchExpectations([{ file: file.display, expectations: parseExpectations(file.text) }], this.records));
      return { status, records: this.records, expectations, world: this.world, output: this.output };
    }
  }
  return { Interpreter, Unsupported };
}
