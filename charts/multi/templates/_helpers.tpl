{% macro name() -%}
{{ Values.nameOverride | default(Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{% macro fullname() -%}
{%- if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(63) | trimSuffix("-") }}
{%- else -%}
{%- set base = Values.nameOverride | default(Chart.Name) -%}
{%- if base in Release.Name -%}
{{ Release.Name | trunc(63) | trimSuffix("-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ base) | trunc(63) | trimSuffix("-") }}
{%- endif -%}
{%- endif -%}
{%- endmacro %}

{# Object name of one component: <fullname>-<component>, at most 63 characters. #}
{% macro componentName(component) -%}
{{ (fullname() | trunc(52) | trimSuffix("-")) ~ "-" ~ component }}
{%- endmacro %}

{% macro selectorLabels(component) -%}
app.kubernetes.io/name: {{ name() }}
app.kubernetes.io/instance: {{ Release.Name }}
app.kubernetes.io/component: {{ component }}
{%- endmacro %}

{% macro labels(component) -%}
helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{{ selectorLabels(component) }}
app.kubernetes.io/part-of: {{ name() }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endmacro %}

{#
The image of a component. Application tiers (app=true) take global.imageTag when it is set, so one
--set rolls all of them. Tags must be pinned: an empty tag or "latest" fails rendering.
#}
{% macro image(component, app=true) -%}
{%- set cfg = Values[component].image -%}
{%- set tag = (Values.global.imageTag if app and Values.global.imageTag else cfg.tag) | toString -%}
{%- if not tag or tag == "latest" -%}
{{ fail(component ~ ".image.tag must be pinned to a version, got '" ~ tag ~ "'") }}
{%- endif -%}
{{ cfg.repository }}:{{ tag }}
{%- endmacro %}

{# Connection settings shared by the server and the worker. #}
{% macro backendEnv() -%}
- name: REDIS_URL
  value: "redis://{{ componentName('redis') }}:{{ Values.redis.port }}/0"
- name: DATABASE_HOST
  value: {{ componentName("postgresql") }}
- name: DATABASE_PORT
  value: {{ Values.postgresql.port | toString | quote }}
- name: DATABASE_NAME
  value: {{ Values.postgresql.database | quote }}
- name: DATABASE_USER
  value: {{ Values.postgresql.username | quote }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ componentName("postgresql") }}
      key: password
{%- endmacro %}

{# A ClusterIP Service for a component's "http" port. #}
{% macro service(component, port, type="ClusterIP", nodePort=none) -%}
apiVersion: v1
kind: Service
metadata:
  name: {{ componentName(component) }}
  labels:
    {{- labels(component) | nindent(4) }}
spec:
  type: {{ type }}
  ports:
    - name: http
      port: {{ port }}
      targetPort: http
      protocol: TCP
      {% if type == "NodePort" and nodePort %}
      nodePort: {{ nodePort }}
      {% endif %}
  selector:
    {{- selectorLabels(component) | nindent(4) }}
{%- endmacro %}
